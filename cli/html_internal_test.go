package cli

import "testing"

// TestPlaceColumnsFollowsArrows checks that a column's boxes come in the
// order of the boxes their arrows come from, so that arrows do not cross:
// a stage's intermediate inputs in the order of the phases that wrote
// them, with a box no arrow reaches first.
func TestPlaceColumnsFollowsArrows(t *testing.T) {
	a, b := &svgBox{h: 50}, &svgBox{h: 50}
	fromB, fromA, source := &svgBox{h: 30}, &svgBox{h: 30}, &svgBox{h: 30}
	columns := [][]*svgBox{{a, b}, {fromB, fromA, source}}
	edges := []svgEdge{{a, fromA, "materialized"}, {b, fromB, "materialized"}}
	placeColumns(columns, edges)
	if !(a.y < b.y) {
		t.Fatalf("first column reordered: a at %d, b at %d", a.y, b.y)
	}
	if !(source.y < fromA.y && fromA.y < fromB.y) {
		t.Errorf("second column at source %d, fromA %d, fromB %d: want source, then fromA (a's), then fromB (b's)", source.y, fromA.y, fromB.y)
	}
	if a.x != fromA.x-(boxW+colGap) {
		t.Errorf("columns at x %d and %d, want %d apart", a.x, fromA.x, boxW+colGap)
	}
}
