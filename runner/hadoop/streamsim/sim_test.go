package streamsim

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
)

func TestHashBytes(t *testing.T) {
	// Values of Java's Arrays.hashCode-style loop over signed bytes, worked
	// by hand: 1 for empty; 31+97 for "a"; (31+97)*31+98 for "ab"; 31-1
	// for 0xFF (the byte is -1).
	for _, tc := range []struct {
		in   []byte
		want int32
	}{{nil, 1}, {[]byte("a"), 128}, {[]byte("ab"), 128*31 + 98}, {[]byte{0xFF}, 30}} {
		if got := hashBytes(tc.in); got != tc.want {
			t.Errorf("hashBytes(%x) = %d, want %d", tc.in, got, tc.want)
		}
	}
	// Overflow wraps like Java int and the partition masks the sign.
	long := bytes.Repeat([]byte{0xC3}, 100)
	if p := partition(long, 7); p < 0 || p >= 7 {
		t.Errorf("partition = %d, want in [0, 7)", p)
	}
}

func TestAppendVLong(t *testing.T) {
	// WritableUtils.writeVLong encodings.
	for _, tc := range []struct {
		in   int64
		want []byte
	}{
		{0, []byte{0}}, {127, []byte{127}}, {-112, []byte{0x90}},
		{128, []byte{0x8F, 0x80}}, {255, []byte{0x8F, 0xFF}}, {256, []byte{0x8E, 0x01, 0x00}},
		{-113, []byte{0x87, 0x70}},
	} {
		if got := appendVLong(nil, tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("appendVLong(%d) = %x, want %x", tc.in, got, tc.want)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"./bin task spec 0 map", []string{"./bin", "task", "spec", "0", "map"}},
		{`  a  'b c' "d 'e'"`, []string{"a", "b c", "d 'e'"}},
		{"", nil},
	} {
		if got := splitArgs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	j, err := parse([]string{"jar", "s.jar", "-D", "stream.map.input=text", "-Dx=y", "-files", "/bin/x#tool,file:///y",
		"-input", "/in", "-output", "file:/out", "-io", "rawbytes", "-mapper", "m", "-reducer", "r", "-numReduceTasks", "3"})
	if err != nil {
		t.Fatal(err)
	}
	// -io wins over -D, as in StreamJob.setJobConf.
	if got := j.get("stream.map.input", ""); got != "rawbytes" {
		t.Errorf("stream.map.input = %q, want rawbytes", got)
	}
	if j.get("x", "") != "y" || j.reducers != 3 || j.output != "/out" || j.inputFormat != textFormat {
		t.Errorf("parsed %+v", j)
	}
	if want := []shipped{{"/bin/x", "tool"}, {"/y", "y"}}; !slices.Equal(j.files, want) {
		t.Errorf("files = %v, want %v", j.files, want)
	}
	if j.ignoreKey() {
		t.Error("rawbytes map input must write the key")
	}
	for _, bad := range [][]string{
		{"jar", "s.jar", "-input", "/in", "-output", "/o", "-mapper", "m", "-partitioner", "p"},
		{"jar", "s.jar", "-input", "hdfs://nn/in", "-output", "/o", "-mapper", "m"},
		{"jar", "s.jar", "-input", "/in", "-output", "/o", "-mapper", "m", "-io", "typedbytes"},
		{"jar", "s.jar", "-input", "/in", "-output", "/o"},
		{"jar", "s.jar", "-input", "/in", "-output", "/o", "-mapper", "m", "-numReduceTasks", "2"},
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse(%q) succeeded, want an error", bad)
		}
	}
}

func TestReadOutput(t *testing.T) {
	var b bytes.Buffer
	writeFrame(&b, []byte("k"))
	writeFrame(&b, []byte("value"))
	got, err := readOutput(b.Bytes(), "rawbytes")
	if err != nil || len(got) != 1 || string(got[0].key) != "k" || string(got[0].value) != "value" {
		t.Fatalf("readOutput = %v, %v", got, err)
	}
	if _, err := readOutput(b.Bytes()[:b.Len()-1], "rawbytes"); err == nil {
		t.Error("truncated rawbytes output accepted")
	}
	got, _ = readOutput([]byte("a\tb\tc\nkeyonly\n"), "text")
	if len(got) != 2 || string(got[0].value) != "b\tc" || string(got[1].key) != "keyonly" || len(got[1].value) != 0 {
		t.Errorf("text output parsed as %q", got)
	}
}

// TestKill checks "job -kill": a running job's context is cancelled, and a
// job that is not running cannot be killed.
func TestKill(t *testing.T) {
	j := &job{id: fmt.Sprintf("%d_0001", os.Getpid())}
	ctx, stop, err := j.register(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"job", "-kill", "job_" + j.id}, &out, &errOut); code != 0 || out.String() != "Killed job job_"+j.id+"\n" {
		t.Errorf("killing a running job: exit %d, output %q %q", code, out.String(), errOut.String())
	}
	<-ctx.Done() // the job polls for the request
	stop()
	out.Reset()
	if code := Main([]string{"job", "-kill", "job_" + j.id}, &out, &errOut); code != 255 || out.String() != "Could not find job job_"+j.id+"\n" {
		t.Errorf("killing an ended job: exit %d, output %q, want 255 and that it is not found", code, out.String())
	}
}
