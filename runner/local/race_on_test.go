//go:build race

package local

// raceEnabled: the race detector's shadow memory inflates RSS.
const raceEnabled = true
