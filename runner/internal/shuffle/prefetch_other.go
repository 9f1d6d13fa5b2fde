//go:build !amd64 && !arm64

package shuffle

// prefetch does nothing where there is no assembly for it.
func prefetch(p *byte) {}
