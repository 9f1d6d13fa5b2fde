// Package e2e holds end-to-end tests that cross package boundaries: whole
// pipelines on the local runner reading and writing HDFS through the
// in-repo namenode and datanode (storage/hdfs/hdfstest). It has no API.
package e2e
