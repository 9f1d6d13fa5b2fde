package cli

import "testing"

// TestPlaceRowsFollowsArrows checks that a row's boxes come in the order
// of the boxes their arrows come from, so that arrows do not cross: a
// stage's intermediate inputs in the order of the phases that wrote them,
// with a box no arrow reaches first.
func TestPlaceRowsFollowsArrows(t *testing.T) {
	a, b := &svgBox{h: 50}, &svgBox{h: 50}
	fromB, fromA, source := &svgBox{h: 30}, &svgBox{h: 30}, &svgBox{h: 30}
	rows := [][]*svgBox{{a, b}, {fromB, fromA, source}}
	edges := []svgEdge{{a, fromA, "materialized"}, {b, fromB, "materialized"}}
	placeRows(rows, edges)
	if !(a.x < b.x) {
		t.Fatalf("first row reordered: a at %d, b at %d", a.x, b.x)
	}
	if !(source.x < fromA.x && fromA.x < fromB.x) {
		t.Errorf("second row at source %d, fromA %d, fromB %d: want source, then fromA (a's), then fromB (b's)", source.x, fromA.x, fromB.x)
	}
	if b.x != a.x+boxW+boxGapX {
		t.Errorf("a row's boxes at x %d and %d, want %d apart", a.x, b.x, boxW+boxGapX)
	}
}
