package hdfstest

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	pb "github.com/crunchgo/crunchgo/storage/hdfs/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// feed runs serve on one end of a pipe, writes data to the other end and
// checks that the server returns once the client hangs up.
func feed(serve func(net.Conn), data []byte) {
	server, client := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve(server)
		server.Close()
	}()
	go io.Copy(io.Discard, client)
	client.Write(data)
	client.Close()
	<-done
}

func rpcCall(t testing.TB, callID int32, method string, body proto.Message) []byte {
	var err error
	pkt := make([]byte, 4)
	pkt, err = appendDelimited(pkt, &pb.RpcRequestHeaderProto{CallId: proto.Int32(callID), ClientId: []byte("0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	if method != "" {
		if pkt, err = appendDelimited(pkt, &pb.RequestHeaderProto{
			MethodName:                 proto.String(method),
			DeclaringClassProtocolName: proto.String(clientProtocol),
			ClientProtocolVersion:      proto.Uint64(1),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if pkt, err = appendDelimited(pkt, body); err != nil {
		t.Fatal(err)
	}
	binary.BigEndian.PutUint32(pkt, uint32(len(pkt)-4))
	return pkt
}

// FuzzServeRPC feeds arbitrary bytes to the namenode's RPC decoder: it must
// neither panic nor hang.
func FuzzServeRPC(f *testing.F) {
	c, err := New()
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	hello := append([]byte("hrpc\x09\x00\x00"), rpcCall(f, connectionContext, "", &pb.IpcConnectionContextProto{
		UserInfo: &pb.UserInformationProto{EffectiveUser: proto.String("fuzz")},
	})...)
	for _, call := range [][]byte{
		rpcCall(f, 1, "getFileInfo", &pb.GetFileInfoRequestProto{Src: proto.String("/")}),
		rpcCall(f, 2, "mkdirs", &pb.MkdirsRequestProto{Src: proto.String("/a/b"), Masked: &pb.FsPermissionProto{Perm: proto.Uint32(0o755)}, CreateParent: proto.Bool(true)}),
		rpcCall(f, 3, "getListing", &pb.GetListingRequestProto{Src: proto.String("/"), StartAfter: []byte{}, NeedLocation: proto.Bool(false)}),
		rpcCall(f, 4, "nope", &pb.GetFileInfoRequestProto{Src: proto.String("/")}),
	} {
		f.Add(append(append([]byte{}, hello...), call...))
	}
	f.Add([]byte("hrpc\x09\x00\x00\xff\xff\xff\xff"))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed(func(conn net.Conn) { c.serveRPC(conn, false) }, data)
	})
}

// FuzzServeData feeds arbitrary bytes to the datanode's DataTransferProtocol
// decoder: it must neither panic nor hang.
func FuzzServeData(f *testing.F) {
	c, err := New()
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	op := func(code byte, m proto.Message) []byte {
		b, err := appendDelimited([]byte{0, dataTransferVersion, code}, m)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	hdr := &pb.ClientOperationHeaderProto{
		BaseHeader: &pb.BaseHeaderProto{Block: &pb.ExtendedBlockProto{
			PoolId: proto.String(poolID), BlockId: proto.Uint64(firstBlockID), GenerationStamp: proto.Uint64(firstGenSt),
		}},
		ClientName: proto.String("fuzz"),
	}
	f.Add(op(opReadBlock, &pb.OpReadBlockProto{Header: hdr, Offset: proto.Uint64(0), Len: proto.Uint64(10)}))
	f.Add(op(opWriteBlock, &pb.OpWriteBlockProto{
		Header: hdr, Stage: pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE.Enum(),
		PipelineSize: proto.Uint32(0), MinBytesRcvd: proto.Uint64(0), MaxBytesRcvd: proto.Uint64(0), LatestGenerationStamp: proto.Uint64(0),
		RequestedChecksum: &pb.ChecksumProto{Type: pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(), BytesPerChecksum: proto.Uint32(512)},
	}))
	f.Add([]byte{0, dataTransferVersion, 0x55, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		feed(c.serveData, data)
	})
}
