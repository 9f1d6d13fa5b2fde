package progress

import "testing"

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
