package hadoop

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// jobBinary is what the runner knows of the binary it ships to the tasks.
type jobBinary struct {
	path string
	arch string // as GOARCH names it, else the ELF machine
	// interp is the dynamic loader it names, libs the shared libraries it
	// needs at start; neither for a static binary. glibc is the newest
	// GLIBC_ version its symbols need, if any.
	interp string
	libs   []string
	glibc  string
}

// inspectBinary reads the job binary's ELF header and dynamic section. A
// binary that is not a Linux executable (built on a Mac without GOOS=linux,
// say) fails every task of the first job with "exec format error", minutes
// into the run; this fails before anything is submitted.
func inspectBinary(path string) (*jobBinary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hadoop runner: job binary: %w", err)
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("hadoop runner: job binary %s: %w", path, err)
	}
	if !bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return nil, fmt.Errorf("hadoop runner: job binary %s is not a Linux executable (%s): build it for the cluster with GOOS=linux GOARCH=amd64 (or arm64) go build",
			path, formatGuess(magic[:]))
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, fmt.Errorf("hadoop runner: job binary %s: %w", path, err)
	}
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return nil, fmt.Errorf("hadoop runner: job binary %s is an ELF %s, not an executable", path, ef.Type)
	}
	if ef.OSABI != elf.ELFOSABI_NONE && ef.OSABI != elf.ELFOSABI_LINUX {
		return nil, fmt.Errorf("hadoop runner: job binary %s is built for %s, not Linux: build it for the cluster with GOOS=linux", path, ef.OSABI)
	}
	b := &jobBinary{path: path, arch: archOf(ef)}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			interp, err := io.ReadAll(p.Open())
			if err != nil {
				return nil, fmt.Errorf("hadoop runner: job binary %s: reading its interpreter: %w", path, err)
			}
			b.interp = string(bytes.TrimRight(interp, "\x00"))
		}
	}
	// A static binary has no dynamic section: this comes back empty.
	if b.libs, err = ef.ImportedLibraries(); err != nil {
		return nil, fmt.Errorf("hadoop runner: job binary %s: %w", path, err)
	}
	// Only binaries linked against glibc have a version table: others (a
	// position-independent Go binary without cgo, one linked against musl)
	// give an error here, and no version to name.
	needs, _ := ef.DynamicVersionNeeds()
	for _, n := range needs {
		for _, d := range n.Needs {
			if v, ok := strings.CutPrefix(d.Dep, "GLIBC_"); ok && newerVersion(v, b.glibc) {
				b.glibc = v
			}
		}
	}
	return b, nil
}

// formatGuess names what a file that is not ELF starts like.
func formatGuess(magic []byte) string {
	switch {
	case bytes.HasPrefix(magic, []byte("MZ")):
		return "it is a Windows executable"
	case slices.Contains([]string{"\xcf\xfa\xed\xfe", "\xce\xfa\xed\xfe", "\xca\xfe\xba\xbe"}, string(magic)):
		return "it is a macOS executable"
	case bytes.HasPrefix(magic, []byte("#!")):
		return "it is a script"
	}
	return "it does not start as an ELF file does"
}

// archOf is the architecture of ef as GOARCH names it.
func archOf(ef *elf.File) string {
	switch ef.Machine {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_386:
		return "386"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_PPC64:
		if ef.ByteOrder == binary.LittleEndian {
			return "ppc64le"
		}
		return "ppc64"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_RISCV:
		return "riscv64"
	case elf.EM_LOONGARCH:
		return "loong64"
	}
	return ef.Machine.String()
}

// newerVersion reports whether dotted version a is newer than b ("" is
// older than any).
func newerVersion(a, b string) bool {
	if b == "" {
		return true
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x > y
		}
	}
	return false
}

// describe is the line the driver logs before the first job: which binary
// goes to the nodes, for which architecture, and what a dynamically linked
// one needs of them: a node with an older C library than the edge node's
// fails to start its tasks, each with "GLIBC_x.y not found" in its log.
func (b *jobBinary) describe() string {
	switch {
	case b.interp == "" && len(b.libs) == 0:
		return fmt.Sprintf("crunchgo: the cluster's tasks run job binary %s (linux/%s, statically linked)\n", b.path, b.arch)
	case len(b.libs) == 0:
		return fmt.Sprintf("crunchgo: the cluster's tasks run job binary %s (linux/%s), which needs the dynamic loader %s on every node, or its tasks fail there; CGO_ENABLED=0 go build without -buildmode=pie makes a static binary\n",
			b.path, b.arch, b.interp)
	}
	libs := slices.Clone(b.libs)
	for i, l := range libs {
		if b.glibc != "" && strings.HasPrefix(l, "libc.so") {
			libs[i] += " (glibc " + b.glibc + " or newer)"
		}
	}
	needs := strings.Join(libs, ", ")
	return fmt.Sprintf("crunchgo: the cluster's tasks run job binary %s (linux/%s), which is dynamically linked: every node needs %s, or its tasks fail there; CGO_ENABLED=0 go build makes a static binary\n",
		b.path, b.arch, needs)
}
