package progress

import (
	"errors"
	"testing"
	"time"
)

func TestMoved(t *testing.T) {
	Moved() // whatever came before
	if Moved() {
		t.Fatal("Moved without a Mark since the last call")
	}
	Mark()
	Mark()
	if !Moved() {
		t.Fatal("Moved is false after Mark")
	}
	if Moved() {
		t.Fatal("Moved stayed true after it was read")
	}
}

func BenchmarkMark(b *testing.B) {
	for b.Loop() {
		Mark()
	}
}

func TestOnMoved(t *testing.T) {
	calls := 0
	OnMoved(func() { calls++ })
	defer OnMoved(nil)
	Moved()
	Mark()
	Mark()
	if calls != 1 {
		t.Fatalf("OnMoved's function ran %d times for two Marks after Moved, want once", calls)
	}
	Moved()
	Mark()
	if calls != 2 {
		t.Fatalf("OnMoved's function ran %d times after a second Moved and Mark, want twice", calls)
	}
	OnMoved(nil)
	Moved()
	Mark()
	if calls != 2 {
		t.Fatal("OnMoved(nil) did not remove the function")
	}
}

func TestAlive(t *testing.T) {
	calls := 0
	OnMoved(func() { calls++ })
	defer OnMoved(nil)
	Moved()
	Alive()
	if !Moved() {
		t.Fatal("Moved is false after Alive")
	}
	if calls != 0 {
		t.Fatal("Alive ran OnMoved's function, which may read what only the task's goroutine writes")
	}
	if Moved() {
		t.Fatal("Moved stayed true after it was read")
	}
}

func TestWatch(t *testing.T) {
	Mark() // before the watch: not the task's
	calls := make(chan struct{}, 100)
	stop := Watch(time.Millisecond, func() error {
		calls <- struct{}{}
		return nil
	})
	time.Sleep(20 * time.Millisecond)
	if len(calls) != 0 {
		t.Fatalf("%d calls with no progress since the watch began, want none", len(calls))
	}
	Alive()
	<-calls // the interval in which it moved
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	errStop := errors.New("stop")
	failed := make(chan struct{})
	stop = Watch(time.Millisecond, func() error {
		close(failed)
		return errStop
	})
	Alive()
	<-failed
	if err := stop(); err != errStop {
		t.Errorf("stop returned %v, want fn's error", err)
	}
}
