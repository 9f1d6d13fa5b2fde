package hdfs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCanonicalAuthority checks the spellings of one namenode that
// compare equal: hdfs:/// for fs.defaultFS's, and the default port.
func TestCanonicalAuthority(t *testing.T) {
	dir := t.TempDir()
	core := `<configuration><property><name>fs.defaultFS</name><value>hdfs://nn.example.com:8020</value></property></configuration>`
	if err := os.WriteFile(filepath.Join(dir, "core-site.xml"), []byte(core), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HADOOP_CONF_DIR", dir)
	for host, want := range map[string]string{
		"":                    "nn.example.com",
		"nn.example.com:8020": "nn.example.com",
		"nn.example.com":      "nn.example.com",
		"nn.example.com:9000": "nn.example.com:9000",
		"[::1]:8020":          "[::1]",
		"mycluster":           "mycluster",
	} {
		if got := CanonicalAuthority(host); got != want {
			t.Errorf("CanonicalAuthority(%q) = %q, want %q", host, got, want)
		}
	}
	t.Setenv("HADOOP_CONF_DIR", t.TempDir()) // no configuration: no default
	if got := CanonicalAuthority(""); got != "" {
		t.Errorf("without fs.defaultFS, CanonicalAuthority(\"\") = %q, want \"\"", got)
	}
}
