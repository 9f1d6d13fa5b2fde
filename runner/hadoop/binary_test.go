package hadoop

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/examples/wordcount"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
)

// TestInspectBinaryOfThisTest checks what the runner reads of an ELF
// executable against the program headers: a binary needs shared
// libraries exactly when it names an interpreter.
func TestInspectBinaryOfThisTest(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the test binary is not a Linux executable")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := inspectBinary(exe)
	if err != nil {
		t.Fatal(err)
	}
	if b.arch != runtime.GOARCH {
		t.Errorf("arch %q, want %q", b.arch, runtime.GOARCH)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	interp := false
	for _, p := range ef.Progs {
		interp = interp || p.Type == elf.PT_INTERP
	}
	if dynamic := len(b.libs) > 0; dynamic != interp {
		t.Errorf("libraries %q, but an interpreter header: %v", b.libs, interp)
	}
	d := b.describe()
	if want := "(linux/" + runtime.GOARCH; !strings.Contains(d, want) || !strings.Contains(d, exe) {
		t.Errorf("description %q does not name the binary and %s", d, want)
	}
	if static := strings.Contains(d, "statically linked"); static == interp {
		t.Errorf("description %q, interpreter header %v", d, interp)
	}
}

// TestInspectBinaryNeedingGlibc reads the C library version a system
// program needs, when the system has one linked against glibc.
func TestInspectBinaryNeedingGlibc(t *testing.T) {
	var b *jobBinary
	for _, p := range []string{"/bin/ls", "/usr/bin/ls", "/bin/sh"} {
		if got, err := inspectBinary(p); err == nil && got.glibc != "" {
			b = got
			break
		}
	}
	if b == nil {
		t.Skip("no system program linked against glibc here")
	}
	if !strings.HasPrefix(b.glibc, "2.") {
		t.Errorf("glibc version %q, want 2.x", b.glibc)
	}
	d := b.describe()
	for _, want := range []string{"dynamically linked", "libc.so.6 (glibc " + b.glibc + " or newer)", "CGO_ENABLED=0"} {
		if !strings.Contains(d, want) {
			t.Errorf("description %q lacks %q", d, want)
		}
	}
}

func TestInspectBinaryRefusesOtherFormats(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string
	}{
		{"mac", "\xcf\xfa\xed\xfe rest of a Mach-O header", "macOS executable"},
		{"windows.exe", "MZ\x90\x00 rest of a PE header", "Windows executable"},
		{"run.sh", "#!/bin/sh\nexec crunchgo \"$@\"\n", "script"},
		{"empty", "", "does not start as an ELF file does"},
		{"cut", "\x7fELF\x02\x01", "cut"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, []byte(tc.content), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := inspectBinary(path)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if tc.name == "cut" {
			// debug/elf's own words for a short header vary: the error
			// names the file, which is what the user needs.
			tc.want = path
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %q, want it to name the file and say %q", tc.name, err, tc.want)
		}
	}
	if _, err := inspectBinary(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing binary: error %v", err)
	}
	if _, err := inspectBinary(dir); err == nil || strings.Contains(err.Error(), "not a Linux executable") {
		t.Errorf("a directory: error %v, want the read's own error", err)
	}
}

// TestRunRefusesNonLinuxBinary checks that a binary no node can run fails
// the run before anything is written or submitted.
func TestRunRefusesNonLinuxBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "crunchgo")
	if err := os.WriteFile(bin, []byte("\xcf\xfa\xed\xfe a macOS build"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := wordcountIn(t, dir)
	hadoopBin := filepath.Join(dir, "hadoop") // would record any call
	r := Runner{HadoopBin: hadoopBin, StreamingJar: "x.jar", Binary: bin, TempDir: filepath.Join(dir, "tmp")}
	_, err := r.Run(context.Background(), p, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "not a Linux executable") {
		t.Fatalf("err %v, want the binary refused", err)
	}
	for _, left := range []string{"tmp", "out"} {
		if _, err := os.Stat(filepath.Join(dir, left)); !os.IsNotExist(err) {
			t.Errorf("%s exists after the refused run (stat: %v)", left, err)
		}
	}
	// A dry run, which ships nothing, prints its plan and says why the
	// binary could not serve.
	var out strings.Builder
	r.DryRun, r.Out = true, &out
	if _, err := r.Run(context.Background(), p, runner.Options{}); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !strings.Contains(out.String(), "# job binary "+bin+" is not a Linux executable (it is a macOS executable)") || !strings.Contains(out.String(), "hadoop jar") {
		t.Errorf("dry run listing lacks the binary's problem or the plan:\n%s", out.String())
	}
}

func TestNewerVersion(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"2.34", "", true},
		{"2.34", "2.4", true},
		{"2.4", "2.34", false},
		{"2.3.4", "2.3", true},
		{"2.3", "2.3", false},
		{"3", "2.40", true},
	} {
		if got := newerVersion(tc.a, tc.b); got != tc.want {
			t.Errorf("newerVersion(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestInspectPIEBinary checks a position-independent Go binary, which
// names a dynamic loader but no library and has no version table: it is
// accepted, and the note says it needs the loader.
func TestInspectPIEBinary(t *testing.T) {
	if runtime.GOOS != "linux" || testing.Short() {
		t.Skip("builds a Linux binary")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command(gobin, "build", "-buildmode=pie", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build a PIE binary here: %v\n%s", err, out)
	}
	b, err := inspectBinary(bin)
	if err != nil {
		t.Fatal(err)
	}
	if b.interp == "" || len(b.libs) != 0 || b.glibc != "" {
		t.Errorf("interp %q, libs %q, glibc %q; want a loader and no library or version", b.interp, b.libs, b.glibc)
	}
	if d := b.describe(); !strings.Contains(d, "needs the dynamic loader "+b.interp) {
		t.Errorf("description %q does not name the loader", d)
	}
}

// TestRunWithoutHadoopCommand checks that a run needing the cluster with no
// hadoop command fails saying so, before describing the binary it would
// have shipped.
func TestRunWithoutHadoopCommand(t *testing.T) {
	exe, err := os.Executable()
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs a Linux test binary to ship")
	}
	dir := t.TempDir()
	p := wordcountIn(t, dir)
	var log strings.Builder
	r := Runner{HadoopBin: filepath.Join(dir, "no-hadoop"), StreamingJar: "x.jar", Binary: exe, TempDir: filepath.Join(dir, "tmp"), Log: &log}
	_, err = r.Run(context.Background(), p, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "the hadoop command") || !strings.Contains(err.Error(), "no-hadoop") {
		t.Fatalf("err %v, want the missing hadoop command named", err)
	}
	if log.Len() != 0 {
		t.Errorf("log before the failure: %q, want nothing (no job was submitted)", log.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("out exists after the failed run (stat: %v)", err)
	}
}

// wordcountIn builds wordcount over a small text file in dir, writing to
// dir/out.
func wordcountIn(t *testing.T, dir string) *pcollection.Pipeline {
	t.Helper()
	in := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(in, []byte("a b a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := wordcount.Job.Build([]string{"--input", in, "--output", filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
