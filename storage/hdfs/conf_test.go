package hdfs

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// writeConf writes core-site.xml and hdfs-site.xml holding props into a
// temporary directory and returns it.
func writeConf(t *testing.T, core, hdfsSite map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, props := range map[string]map[string]string{"core-site.xml": core, "hdfs-site.xml": hdfsSite} {
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\"?>\n<configuration>\n")
		for k, v := range props {
			b.WriteString("  <property><name>" + k + "</name><value>" + v + "</value></property>\n")
		}
		b.WriteString("</configuration>\n")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	conf := map[string]string{
		"fs.defaultFS":                      "hdfs://prod",
		"dfs.ha.namenodes.prod":             "nn1, nn2",
		"dfs.namenode.rpc-address.prod.nn1": "nn1.example.com:8020",
		"dfs.namenode.rpc-address.prod.nn2": "nn2.example.com:8020",
		"dfs.namenode.rpc-address.fed":      "fed.example.com:9000",
		"dfs.ha.namenodes.broken":           "a",
		"dfs.client.use.datanode.hostname":  "true",
		"hadoop.security.authentication":    "simple",
		"dfs.namenode.kerberos.principal":   "nn/_HOST@EXAMPLE.COM",
	}
	tests := []struct {
		host      string
		env       map[string]string
		authority string
		addrs     []string
		user      string
		err       string
	}{
		{host: "", env: map[string]string{"HADOOP_USER_NAME": "etl"}, authority: "prod", addrs: []string{"nn1.example.com:8020", "nn2.example.com:8020"}, user: "etl"},
		{host: "prod", env: map[string]string{"HADOOP_USER_NAME": "etl"}, authority: "prod", addrs: []string{"nn1.example.com:8020", "nn2.example.com:8020"}, user: "etl"},
		{host: "fed", env: map[string]string{"HADOOP_USER_NAME": "x"}, authority: "fed", addrs: []string{"fed.example.com:9000"}, user: "x"},
		{host: "nn3.example.com", env: map[string]string{"HADOOP_USER_NAME": "x"}, authority: "nn3.example.com", addrs: []string{"nn3.example.com:8020"}, user: "x"},
		{host: "10.0.0.1:9000", env: map[string]string{"HADOOP_USER_NAME": "x"}, authority: "10.0.0.1:9000", addrs: []string{"10.0.0.1:9000"}, user: "x"},
		{host: "broken", err: "dfs.namenode.rpc-address.broken.a is not set"},
	}
	for _, tc := range tests {
		s, err := resolve(conf, "/etc/hadoop/conf", tc.host, env(tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("resolve(%q): got %v, want error containing %q", tc.host, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("resolve(%q): %v", tc.host, err)
			continue
		}
		if s.authority != tc.authority || !slices.Equal(s.addresses, tc.addrs) || s.user != tc.user || s.kerberos != nil {
			t.Errorf("resolve(%q): got %s %v user %q kerberos %v, want %s %v user %q no kerberos",
				tc.host, s.authority, s.addresses, s.user, s.kerberos, tc.authority, tc.addrs, tc.user)
		}
		opts, err := s.clientOptions()
		if err != nil || !opts.UseDatanodeHostname || opts.User != tc.user || opts.KerberosClient != nil {
			t.Errorf("clientOptions(%q): got %+v, %v", tc.host, opts, err)
		}
	}
	if _, err := resolve(map[string]string{}, "", "", env(nil)); err == nil || !strings.Contains(err.Error(), "fs.defaultFS") {
		t.Errorf("hdfs:/// without configuration: got %v, want an error about fs.defaultFS", err)
	}
}

func TestResolveOSUser(t *testing.T) {
	s, err := resolve(map[string]string{}, "", "nn:8020", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.user == "" {
		t.Errorf("no user from the OS")
	}
}

func TestResolveKerberos(t *testing.T) {
	conf := map[string]string{
		"hadoop.security.authentication":  "Kerberos",
		"dfs.namenode.kerberos.principal": "nn/_HOST@EXAMPLE.COM",
	}
	tests := []struct {
		env      map[string]string
		krb5     string
		ccache   string
		errMatch string
	}{
		{env: map[string]string{"KRB5_CONFIG": "/k/krb5.conf", "KRB5CCNAME": "FILE:/k/cc"}, krb5: "/k/krb5.conf", ccache: "/k/cc"},
		{env: map[string]string{"KRB5CCNAME": "/k/cc2"}, krb5: "/etc/krb5.conf", ccache: "/k/cc2"},
		{env: map[string]string{}, krb5: "/etc/krb5.conf", ccache: "/tmp/krb5cc_"},
		{env: map[string]string{"KRB5CCNAME": "KEYRING:persistent:1000"}, errMatch: "only FILE:"},
	}
	for _, tc := range tests {
		s, err := resolve(conf, "", "nn:8020", env(tc.env))
		if tc.errMatch != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
				t.Errorf("env %v: got %v, want error containing %q", tc.env, err, tc.errMatch)
			}
			continue
		}
		if err != nil {
			t.Fatalf("env %v: %v", tc.env, err)
		}
		k := s.kerberos
		if k == nil || k.krb5Conf != tc.krb5 || !strings.HasPrefix(k.ccache, tc.ccache) || k.spn != "nn/_HOST" {
			t.Errorf("env %v: got %+v, want krb5 %s, ccache %s*, spn nn/_HOST", tc.env, k, tc.krb5, tc.ccache)
		}
	}
	// Loading fails clearly when the files are not there (a live KDC is out
	// of scope for these tests).
	s, err := resolve(conf, "", "nn:8020", env(map[string]string{"KRB5_CONFIG": "/nonexistent/krb5.conf"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.clientOptions(); err == nil || !strings.Contains(err.Error(), "/nonexistent/krb5.conf") {
		t.Errorf("clientOptions with a missing krb5.conf: got %v, want an error naming it", err)
	}
	delete(conf, "dfs.namenode.kerberos.principal")
	if _, err := resolve(conf, "", "nn:8020", env(nil)); err == nil || !strings.Contains(err.Error(), "dfs.namenode.kerberos.principal") {
		t.Errorf("kerberos without a namenode principal: got %v", err)
	}
}

// TestHadoopConfDir configures an HA nameservice whose first namenode is a
// standby, through HADOOP_CONF_DIR, and uses it through hdfs:/// URLs.
func TestHadoopConfDir(t *testing.T) {
	c := startCluster(t, hdfstest.WithStandbyNamenode())
	t.Cleanup(func() { Disconnect(c.StandbyAddr()) })
	dir := writeConf(t,
		map[string]string{"fs.defaultFS": "hdfs://testns"},
		map[string]string{
			"dfs.nameservices":                    "testns",
			"dfs.ha.namenodes.testns":             "nn1,nn2",
			"dfs.namenode.rpc-address.testns.nn1": c.StandbyAddr(),
			"dfs.namenode.rpc-address.testns.nn2": c.Addr(),
		})
	t.Setenv("HADOOP_CONF_DIR", dir)
	t.Setenv("HADOOP_USER_NAME", "etl")
	ctx := context.Background()
	fsys, err := NewFS(ctx, mustParse(t, "hdfs:///"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fsys.Namenodes(), []string{c.StandbyAddr(), c.Addr()}; !slices.Equal(got, want) {
		t.Errorf("Namenodes: got %v, want %v", got, want)
	}
	w, err := fsys.Create(ctx, "/conf/f")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("via HA"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := fsys.Stat(ctx, "/conf/f")
	if err != nil {
		t.Fatal(err)
	}
	if fi.URL != "hdfs://testns/conf/f" || fi.Size != 6 {
		t.Errorf("Stat: got %+v, want URL hdfs://testns/conf/f, size 6", fi)
	}
	// The URL goes back through the storage router and the same client.
	f, err := NewFS(ctx, mustParse(t, fi.URL))
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := f.conn(context.Background())
	c2, _ := fsys.conn(context.Background())
	if c1 != c2 {
		t.Errorf("hdfs:/// and hdfs://testns got different clients")
	}
	_ = storage.Join
}
