package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// measurement is one run of one process tree.
type measurement struct {
	Wall    time.Duration
	PeakRSS int64         // bytes: the sampled peak of the whole tree's summed RSS, or the root's own peak if larger
	RootRSS int64         // bytes: the root process's peak RSS from wait4 (0 if not above the harness's own)
	CPU     time.Duration // user+sys of the root and the descendants it reaped
	User    time.Duration // the user part of CPU
	Output  string
}

// children lists the child pids of pid (from every thread's children file).
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

var pageSize = int64(os.Getpagesize())

// treeSampler sums the resident set sizes of a process and its descendants.
// Sampling competes for the CPUs with the process it measures, so it keeps
// each process's statm file open and rereads it (one pread per process),
// and looks for new descendants (a walk of every thread's children file,
// about a millisecond on a busy tree) only every rescanEvery samples: the
// processes measured here start their children at once and keep them.
type treeSampler struct {
	root    int
	statm   map[int]*os.File
	samples int
	buf     []byte
}

const rescanEvery = 5

func newTreeSampler(root int) *treeSampler {
	return &treeSampler{root: root, statm: map[int]*os.File{}, buf: make([]byte, 256)}
}

// rss returns the tree's summed RSS in bytes.
func (t *treeSampler) rss() int64 {
	if t.samples%rescanEvery == 0 {
		t.rescan()
	}
	t.samples++
	var total int64
	for pid, f := range t.statm {
		n, err := f.ReadAt(t.buf, 0)
		if n == 0 && err != nil { // the process is gone
			f.Close()
			delete(t.statm, pid)
			continue
		}
		fields := strings.Fields(string(t.buf[:n]))
		if len(fields) > 1 {
			if pages, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				total += pages * pageSize
			}
		}
	}
	return total
}

// rescan opens the statm file of every descendant not yet known.
func (t *treeSampler) rescan() {
	stack := []int{t.root}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := t.statm[p]; !ok {
			f, err := os.Open(fmt.Sprintf("/proc/%d/statm", p))
			if err != nil {
				continue
			}
			t.statm[p] = f
		}
		stack = append(stack, children(p)...)
	}
}

func (t *treeSampler) close() {
	for _, f := range t.statm {
		f.Close()
	}
}

// measure runs name with args (and extra environment), sampling the summed
// RSS of its process tree every interval.
func measure(ctx context.Context, env []string, dir, name string, args ...string) (measurement, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	// The root's wait4 peak can be the harness's own: os/exec starts a child
	// with vfork in the harness's address space, and Linux carries that
	// space's peak RSS into the child's when it calls exec. It counts only
	// when it is above the harness's peak so far.
	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return measurement{}, err
	}
	var peak int64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tree := newTreeSampler(cmd.Process.Pid)
		defer tree.close()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				r := tree.rss()
				mu.Lock()
				peak = max(peak, r)
				mu.Unlock()
			}
		}
	})
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	wg.Wait()
	m := measurement{Wall: wall, Output: out.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if ru.Maxrss > self.Maxrss {
			m.RootRSS = ru.Maxrss * 1024
		}
		m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.User = time.Duration(ru.Utime.Nano())
	}
	m.PeakRSS = max(peak, m.RootRSS)
	if err != nil {
		return m, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(out.String(), 20))
	}
	return m, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
