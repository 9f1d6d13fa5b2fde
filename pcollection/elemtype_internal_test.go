package pcollection

import (
	"reflect"
	"testing"
)

func TestChangeable(t *testing.T) {
	type list struct {
		Next *list
		V    int
	}
	type withMap struct {
		Tags map[string]int
		IDs  []int
	}
	type plain struct {
		Name  string
		Count int64
		At    [2]float64
	}
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{"s", false},
		{0, false},
		{plain{}, false},
		{[]int{}, true},
		{[]string{}, true},
		{&plain{}, true},
		{struct{ IDs []int }{}, true},
		{[2][]byte{}, true},
		{list{}, false},    // recursive: a value may hold a cycle
		{&list{}, false},   // likewise
		{[]*list{}, false}, // holds a recursive type
		{struct {
			L   *list
			IDs []int
		}{}, false},
		{map[string]int{}, false},
		{withMap{}, false},
		{[]map[string]int{}, false},
	} {
		if got := changeable(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("changeable(%T) = %v, want %v", tc.v, got, tc.want)
		}
	}
}
