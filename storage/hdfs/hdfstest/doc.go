// Package hdfstest runs an in-process HDFS namenode and datanode for tests.
//
// No Hadoop is needed: the servers speak the real wire protocols to the
// unmodified client (github.com/colinmarc/hdfs/v2), so tests exercise the
// same code paths they would against a cluster.
//
// The namenode speaks Hadoop RPC version 9 ("hrpc" preamble, no SASL) and
// serves these ClientProtocol methods: getFileInfo, getListing, mkdirs,
// create, addBlock, updateBlockForPipeline, complete, getBlockLocations,
// getServerDefaults, rename2, delete and renewLease. Failures are reported
// as Java exception class names (java.io.FileNotFoundException,
// org.apache.hadoop.fs.FileAlreadyExistsException, ...), which is what
// clients dispatch on. The datanode speaks DataTransferProtocol version 28:
// OpWriteBlock (packets of 512-byte CRC32C chunks, verified and acked) and
// OpReadBlock (packets of up to 64 KiB, chunk-aligned). There is one
// datanode, so replication is 1 and there are no pipelines.
//
// Everything lives in memory and is discarded when the test ends. Blocks are
// small (1 MiB unless WithBlockSize says otherwise) so that multi-block files
// are cheap to test.
//
// Not supported: SASL (Kerberos, delegation and block tokens, encrypted data
// transfer), append, truncate, symlinks, snapshots, permissions checks,
// quotas, xattrs and ACLs.
//
// Start ties the cluster to a test; New returns one to Close explicitly.
// Code that reaches the cluster through package storage (hdfs:// URLs)
// should also call storage/hdfs.Disconnect(c.Addr()) before the cluster
// closes, so that the shared client stops renewing leases against it:
//
//	c := hdfstest.Start(t)
//	t.Cleanup(func() { hdfs.Disconnect(c.Addr()) }) // runs before c.Close
//	url := c.URL("/out/part-00000")
//
// Faults can be injected to test clients' error paths: FailDatanodeWritesAfter
// (the datanode drops a write connection mid-block), CorruptReads (block
// data that fails its checksum), FailCompletes (complete
// answers false, as when the last block is not yet replicated), StandbyFor and
// WithStandbyNamenode (StandbyException, as from the standby of an HA pair)
// and InjectError (any exception from any method).
package hdfstest
