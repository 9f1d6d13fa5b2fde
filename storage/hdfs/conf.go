package hdfs

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	hdfs "github.com/colinmarc/hdfs/v2"
	"github.com/colinmarc/hdfs/v2/hadoopconf"
	krb "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
)

// DefaultPort is the namenode RPC port used when a URL names a host without
// a port and the configuration says nothing about it.
const DefaultPort = 8020

// dialTimeout bounds connecting to a namenode or datanode.
const dialTimeout = 20 * time.Second

// readTimeout bounds each wait for bytes from a namenode or datanode. The
// client's calls take no context and it sets no deadlines, so a server that
// accepts a connection and then never answers (a hung namenode, a
// firewall dropping packets) would hold a command, and a Ctrl-C, for ever.
// Hadoop's own client pings after a minute without an answer; a namenode
// that has said nothing for this long is taken for gone. (Atomic: tests
// shorten it while connections of earlier tests may still read it.)
var readTimeout atomic.Int64

func init() { readTimeout.Store(int64(2 * time.Minute)) }

// dialWithReadTimeout connects as net.Dialer does, returning a connection
// whose every Read fails after readTimeout without bytes.
func dialWithReadTimeout(ctx context.Context, network, addr string) (net.Conn, error) {
	return dial(ctx, network, addr, nil)
}

// dial is dialWithReadTimeout, calling onTimeout (if not nil) when a Read
// times out.
func dial(ctx context.Context, network, addr string, onTimeout func()) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return readDeadlineConn{c, onTimeout}, nil
}

type readDeadlineConn struct {
	net.Conn
	onTimeout func()
}

func (c readDeadlineConn) Read(b []byte) (int, error) {
	timeout := time.Duration(readTimeout.Load())
	if err := c.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(b)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		// The answer may still come, and would be read as the answer to
		// whatever is asked next: the connection cannot be used again.
		c.Conn.Close()
		if c.onTimeout != nil {
			c.onTimeout()
		}
		err = fmt.Errorf("no answer from %s for %v: %w", c.RemoteAddr(), timeout, err)
	}
	return n, err
}

// namenodeDialer returns the dial function for the namenode connections of
// the client being made for s. When one times out (and is closed), the
// shared client is retired so that the next call connects afresh: the
// client would find the connection closed at its next call, and then
// refuse every call for 5 seconds, its backoff for a failed namenode.
func (s *settings) namenodeDialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	key := s.key()
	clients.Lock()
	e := clients.m[key] // stored by sharedClient before it connects
	clients.Unlock()
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr, func() { retire(key, e) })
		if err != nil {
			return nil, err
		}
		return &addBlockRetryConn{Conn: c}, nil
	}
}

// retire removes e, the shared client for key, from the cache and closes it
// once its call in progress has returned. Files open on it fail, as after
// Disconnect.
func retire(key string, e *clientEntry) {
	clients.Lock()
	mine := e != nil && clients.m[key] == e
	if mine {
		delete(clients.m, key)
	}
	clients.Unlock()
	if !mine {
		return
	}
	go func() {
		<-e.ready
		if e.client != nil {
			e.client.Close()
		}
	}()
}

// settings is everything needed to build a client for one URL authority.
type settings struct {
	authority string   // as URLs should spell it: "nn:8020" or an HA nameservice
	addresses []string // namenode RPC addresses, in failover order
	user      string   // ignored with Kerberos, where the ticket names the user
	kerberos  *kerberosSettings
	conf      hadoopconf.HadoopConf // for the client's remaining options
}

// kerberosSettings is where the Kerberos configuration and credentials come
// from when hadoop.security.authentication is "kerberos".
type kerberosSettings struct {
	krb5Conf string // krb5.conf path: $KRB5_CONFIG, else /etc/krb5.conf
	ccache   string // credentials cache path: $KRB5CCNAME, else /tmp/krb5cc_<uid>
	spn      string // namenode service principal without realm, e.g. "nn/_HOST"
}

// loadConf reads core-site.xml and hdfs-site.xml (and mapred-site.xml) from
// $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop, else $HADOOP_HOME/conf. No
// configuration at all is not an error: URLs then must name a namenode.
func loadConf(getenv func(string) string) (hadoopconf.HadoopConf, string, error) {
	var dirs []string
	if d := getenv("HADOOP_CONF_DIR"); d != "" {
		dirs = append(dirs, d)
	} else if h := getenv("HADOOP_HOME"); h != "" {
		dirs = append(dirs, filepath.Join(h, "etc", "hadoop"), filepath.Join(h, "conf"))
	}
	for _, d := range dirs {
		conf, err := hadoopconf.Load(d)
		if err != nil {
			return nil, d, fmt.Errorf("reading Hadoop configuration in %s: %w", d, err)
		}
		if conf != nil {
			return conf, d, nil
		}
	}
	return hadoopconf.HadoopConf{}, "", nil
}

// resolve decides how to reach the namenode(s) for a URL host (empty for
// hdfs:///path URLs, which use fs.defaultFS).
func resolve(conf hadoopconf.HadoopConf, confDir, host string, getenv func(string) string) (*settings, error) {
	where := "no Hadoop configuration (set HADOOP_CONF_DIR)"
	if confDir != "" {
		where = "configuration in " + confDir
	}
	if host == "" {
		def := conf["fs.defaultFS"]
		if def == "" {
			def = conf["fs.default.name"] // the pre-Hadoop-2 name
		}
		if def == "" {
			return nil, fmt.Errorf("hdfs:/// URL but fs.defaultFS is not set (%s)", where)
		}
		u, err := url.Parse(def)
		if err != nil || u.Scheme != "hdfs" || u.Host == "" {
			return nil, fmt.Errorf("fs.defaultFS %q is not an hdfs://host URL (%s)", def, where)
		}
		host = u.Host
	}
	s := &settings{authority: host, conf: conf}
	if nns := conf["dfs.ha.namenodes."+host]; nns != "" {
		// An HA nameservice: hdfs://<nameservice>/path.
		for _, nn := range strings.Split(nns, ",") {
			nn = strings.TrimSpace(nn)
			if nn == "" {
				continue
			}
			key := "dfs.namenode.rpc-address." + host + "." + nn
			addr := conf[key]
			if addr == "" {
				return nil, fmt.Errorf("nameservice %s lists namenode %s but %s is not set (%s)", host, nn, key, where)
			}
			s.addresses = append(s.addresses, addr)
		}
		if len(s.addresses) == 0 {
			return nil, fmt.Errorf("nameservice %s has no namenodes in dfs.ha.namenodes.%s (%s)", host, host, where)
		}
	} else if addr := conf["dfs.namenode.rpc-address."+host]; addr != "" {
		s.addresses = []string{addr} // a federated, non-HA nameservice
	} else if _, _, err := net.SplitHostPort(host); err == nil {
		s.addresses = []string{host}
	} else {
		s.addresses = []string{net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(DefaultPort))}
	}

	if strings.EqualFold(conf["hadoop.security.authentication"], "kerberos") {
		k := &kerberosSettings{krb5Conf: getenv("KRB5_CONFIG"), ccache: getenv("KRB5CCNAME")}
		if k.krb5Conf == "" {
			k.krb5Conf = "/etc/krb5.conf"
		}
		switch {
		case k.ccache == "":
			k.ccache = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
		case strings.HasPrefix(k.ccache, "FILE:"):
			k.ccache = strings.TrimPrefix(k.ccache, "FILE:")
		case strings.Contains(k.ccache, ":") && !strings.HasPrefix(k.ccache, "/"):
			return nil, fmt.Errorf("KRB5CCNAME=%s: only FILE: credential caches are supported", k.ccache)
		}
		p := conf["dfs.namenode.kerberos.principal"]
		if p == "" {
			return nil, fmt.Errorf("hadoop.security.authentication is kerberos but dfs.namenode.kerberos.principal is not set (%s)", where)
		}
		k.spn, _, _ = strings.Cut(p, "@")
		s.kerberos = k
		return s, nil
	}

	if s.user = getenv("HADOOP_USER_NAME"); s.user == "" {
		if u, err := user.Current(); err == nil {
			s.user = u.Username
		} else if s.user = getenv("USER"); s.user == "" {
			return nil, fmt.Errorf("no HDFS user: HADOOP_USER_NAME is unset and the OS user is unknown: %w", err)
		}
	}
	return s, nil
}

// clientOptions builds the client options, loading Kerberos credentials if
// the settings ask for them.
func (s *settings) clientOptions() (hdfs.ClientOptions, error) {
	opts := hdfs.ClientOptionsFromConf(s.conf) // datanode hostname, data transfer protection
	opts.Addresses = s.addresses
	opts.User = s.user
	opts.NamenodeDialFunc = s.namenodeDialer()
	opts.DatanodeDialFunc = dialWithReadTimeout
	opts.KerberosClient = nil
	opts.KerberosServicePrincipleName = ""
	if k := s.kerberos; k != nil {
		cfg, err := krbconfig.Load(k.krb5Conf)
		if err != nil {
			return opts, fmt.Errorf("kerberos: loading %s (KRB5_CONFIG): %w", k.krb5Conf, err)
		}
		cc, err := credentials.LoadCCache(k.ccache)
		if err != nil {
			return opts, fmt.Errorf("kerberos: loading credentials cache %s (KRB5CCNAME; run kinit): %w", k.ccache, err)
		}
		cl, err := krb.NewFromCCache(cc, cfg)
		if err != nil {
			return opts, fmt.Errorf("kerberos: credentials cache %s: %w", k.ccache, err)
		}
		opts.KerberosClient = cl
		opts.KerberosServicePrincipleName = k.spn
	}
	return opts, nil
}

// key identifies the client these settings produce, so that one client per
// namenode (set) and identity is shared by the whole process.
func (s *settings) key() string {
	k := strings.Join(s.addresses, ",") + "|user=" + s.user
	if s.kerberos != nil {
		k += "|krb5=" + s.kerberos.ccache + "|" + s.kerberos.spn
	}
	return k
}

// DefaultAuthority returns the namenode (a host with its port, or an HA
// nameservice) that hdfs:///path URLs reach: fs.defaultFS of the Hadoop
// configuration found as for any URL, or "" when there is none.
func DefaultAuthority() string {
	conf, dir, err := loadConf(os.Getenv)
	if err != nil {
		return ""
	}
	s, err := resolve(conf, dir, "", os.Getenv)
	if err != nil {
		return ""
	}
	return s.authority
}
