// Package gcpace owns the garbage collector's settings in a crunchgo
// process. Two parts of crunchgo turn collection off for a while: a task
// loading a side input (Pause), and a local worker growing its first heap
// (WarmUp). Each saves and restores the collector's setting, so each would
// otherwise restore what the other had set — a side input loaded while a
// worker warms up would turn collection off for good. Here both go through
// one lock and one saved setting: collection comes back when neither needs
// it off.
package gcpace
