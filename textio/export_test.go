package textio

// Compress is compress, for the pipeline tests.
var Compress = compress
