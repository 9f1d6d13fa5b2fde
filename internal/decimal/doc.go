// Package decimal turns exact rationals (*big.Rat, as crunchgo's Avro and
// Parquet fields hold decimals) into the unscaled integers that a
// fixed-point decimal of a given precision and scale stores, and says
// when one does not fit, so that no format rounds or truncates a value;
// and finds which Go types hold a big.Rat.
package decimal
