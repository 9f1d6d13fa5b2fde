// Package hadooppb holds Go types for the subset of Hadoop's published
// protocol buffer messages that crunchgo's test namenode and datanode
// (package hdfstest) speak: Hadoop IPC framing, ClientNamenodeProtocol calls
// and DataTransferProtocol block operations.
//
// The messages are declared by hand in the .proto files next to this one.
// Wire compatibility with Hadoop (and with github.com/colinmarc/hdfs) depends
// only on field numbers and types, so the proto package is crunchgo.hadoop:
// reusing the client's hadoop.common / hadoop.hdfs names would make the
// protobuf registry panic at init. The generated code is committed, so
// building needs no protoc; regenerate with go generate after editing a
// .proto file (needs protoc and protoc-gen-go v1.36.12 on PATH).
package hadooppb

//go:generate protoc --go_out=../../../.. --go_opt=paths=source_relative -I ../../../.. storage/hdfs/internal/hadooppb/rpc.proto storage/hdfs/internal/hadooppb/hdfs.proto storage/hdfs/internal/hadooppb/datatransfer.proto
