// Package hdfs is crunchgo's HDFS storage backend. Importing it registers
// the "hdfs" URL scheme with package storage:
//
//	import _ "github.com/crunchgo/crunchgo/storage/hdfs"
//
//	f, err := storage.Open(ctx, "hdfs://namenode:8020/logs/2026-11-26/part-00000.avro")
//
// It wraps github.com/colinmarc/hdfs/v2, a pure Go client, so no Hadoop
// installation or JVM is needed.
//
// # Configuration
//
// Client settings come from core-site.xml and hdfs-site.xml in
// $HADOOP_CONF_DIR (else $HADOOP_HOME/etc/hadoop):
//
//   - hdfs:///path uses fs.defaultFS.
//   - hdfs://<nameservice>/path, where dfs.ha.namenodes.<nameservice> lists
//     namenodes, uses their dfs.namenode.rpc-address.<nameservice>.<nn>
//     addresses in order, failing over on StandbyException.
//   - hdfs://host/path without a port uses port 8020. These spellings of one
//     namenode are one file system to package storage (CanonicalAuthority).
//   - dfs.client.use.datanode.hostname, dfs.data.transfer.protection and
//     dfs.encrypt.data.transfer are passed to the client.
//   - hadoop.security.authentication=kerberos switches to Kerberos: krb5.conf
//     from $KRB5_CONFIG (else /etc/krb5.conf), the credentials cache from
//     $KRB5CCNAME (FILE: caches only; else /tmp/krb5cc_<uid>), and the
//     namenode principal from dfs.namenode.kerberos.principal. Run kinit
//     first; keytabs are not read.
//
// Without Kerberos the HDFS user is $HADOOP_USER_NAME, else the OS user.
//
// One client is created per namenode set and user and shared by the whole
// process; the client serializes namenode calls on one connection. A call
// that gets no answer within the read timeout closes that connection and
// retires the client (files open on it fail), so that a late answer is
// never taken for the next call's.
//
// # Semantics
//
// Create writes a hidden temporary file next to the target and renames it
// into place on Close, so readers never see partial files; Abort or a
// cancelled context removes it. Close retries while the namenode reports
// that the last block is not yet replicated, and addBlock is sent again
// while the namenode answers NotReplicatedYetException. Because the
// client's rename always overwrites, "fails if the destination exists"
// (Create's commit and Rename) is a check followed by the rename: another
// client creating the destination between the two loses its file. CreateExclusive
// (storage.CreateExclusive, for lock files) creates the file under its own
// name with one namenode create that does not overwrite, so exactly one of
// several clients creating it wins.
//
// File.ReadAt is safe for concurrent use: each call borrows a reader from a
// small per-file pool (the client's readers are not safe for concurrent
// use), so parallel reads use parallel datanode connections and sequential
// reads keep streaming from one.
//
// The client does no write pipeline recovery: if a datanode fails during a
// write, the write fails (with an error naming the file) and the temporary
// file is removed when the writer is closed or aborted; the job must retry.
// Context cancellation is checked before each call; calls already in flight
// are not interrupted (the client takes no context).
//
// Errors are *storage.PathError values naming the hdfs:// URL and the
// namenode address(es); errors.Is(err, fs.ErrNotExist), fs.ErrExist and
// fs.ErrPermission work for the corresponding Hadoop exceptions.
//
// Tests run against storage/hdfs/hdfstest, an in-process namenode and
// datanode speaking the real wire protocols.
package hdfs
