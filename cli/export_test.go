package cli

// CancelOnSignal is cancelOnSignal, for the external tests.
var CancelOnSignal = cancelOnSignal
