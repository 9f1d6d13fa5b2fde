//go:build (!amd64 && !arm64) || purego

package shuffle

// prefetch does nothing where there is no assembly for it, or with the
// purego tag (which tests this fallback on any machine).
func prefetch(p *byte) {}
