package hadoop

// SetClientHeldFactor sets clientHeldFactor for a test and returns what
// restores it.
func SetClientHeldFactor(f int64) (restore func()) {
	old := clientHeldFactor
	clientHeldFactor = f
	return func() { clientHeldFactor = old }
}
