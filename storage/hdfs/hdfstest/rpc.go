package hdfstest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"

	pb "github.com/crunchgo/crunchgo/storage/hdfs/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// Hadoop IPC constants.
const (
	rpcVersion        = 9
	authNone          = 0
	connectionContext = -3 // call id of the IpcConnectionContextProto
	clientProtocol    = "org.apache.hadoop.hdfs.protocol.ClientProtocol"
)

// Java exception classes the namenode reports; clients dispatch on them.
const (
	excFileNotFound       = "java.io.FileNotFoundException"
	excFileAlreadyExists  = "org.apache.hadoop.fs.FileAlreadyExistsException"
	excAlreadyBeing       = "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException"
	excParentNotDirectory = "org.apache.hadoop.fs.ParentNotDirectoryException"
	excNotEmpty           = "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"
	excIO                 = "java.io.IOException"
	excInvalidPath        = "org.apache.hadoop.fs.InvalidPathException"
	excLeaseExpired       = "org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException"
	excStandby            = "org.apache.hadoop.ipc.StandbyException"
	excNoSuchMethod       = "org.apache.hadoop.ipc.RpcNoSuchMethodException"
	excNoSuchProtocol     = "org.apache.hadoop.ipc.RpcNoSuchProtocolException"
	excBadRequest         = "org.apache.hadoop.ipc.RpcServerException"
)

// remoteError is an exception thrown by the namenode, sent to the client as
// its Java class name and message.
type remoteError struct {
	class string
	msg   string
	code  pb.RpcResponseHeaderProto_RpcErrorCodeProto
}

func (e *remoteError) Error() string { return e.class + ": " + e.msg }

func rerr(class, format string, args ...any) *remoteError {
	return &remoteError{class: class, msg: fmt.Sprintf(format, args...)}
}

// serveRPC speaks Hadoop RPC version 9 on one connection: the "hrpc"
// preamble, the IpcConnectionContextProto, then calls framed as a 4-byte
// length followed by varint-delimited RpcRequestHeaderProto,
// RequestHeaderProto and request body. Replies are a 4-byte length and
// varint-delimited RpcResponseHeaderProto and, on success, the response.
func (c *Cluster) serveRPC(conn net.Conn, standby bool) {
	r := bufio.NewReader(conn)
	var pre [7]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return
	}
	if string(pre[:4]) != "hrpc" || pre[4] != rpcVersion || pre[6] != authNone {
		// Wrong version or SASL (Kerberos or tokens): not supported here.
		return
	}
	user := ""
	for {
		var lb [4]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(lb[:])
		if n > maxMessage {
			return
		}
		pkt := make([]byte, n)
		if _, err := io.ReadFull(r, pkt); err != nil {
			return
		}
		hb, rest, err := splitDelimited(pkt)
		if err != nil {
			return
		}
		var rh pb.RpcRequestHeaderProto
		if err := proto.Unmarshal(hb, &rh); err != nil {
			return
		}
		if rh.GetCallId() == connectionContext {
			cb, _, err := splitDelimited(rest)
			if err != nil {
				return
			}
			var cc pb.IpcConnectionContextProto
			if err := proto.Unmarshal(cb, &cc); err != nil {
				return
			}
			user = cc.GetUserInfo().GetEffectiveUser()
			continue
		}
		if rh.GetRpcOp() == pb.RpcRequestHeaderProto_RPC_CLOSE_CONNECTION {
			return
		}
		if rh.GetCallId() < 0 {
			continue // pings and other control calls need no reply
		}
		var resp proto.Message
		var rerr *remoteError
		reqb, body, err := splitDelimited(rest)
		if err == nil {
			var req pb.RequestHeaderProto
			if err = proto.Unmarshal(reqb, &req); err == nil {
				var bb []byte
				if bb, _, err = splitDelimited(body); err == nil {
					time.Sleep(c.opts.latency)
					resp, rerr = c.call(standby, user, &req, bb)
					if hold := c.takeHold(standby, req.GetMethodName()); hold != nil {
						<-hold
					}
				}
			}
		}
		if err != nil {
			rerr = &remoteError{class: excBadRequest, msg: err.Error(), code: pb.RpcResponseHeaderProto_ERROR_RPC_SERVER}
		}
		out, err := rpcReply(&rh, resp, rerr)
		if err != nil {
			return
		}
		if _, err := conn.Write(out); err != nil {
			return
		}
	}
}

func rpcReply(rh *pb.RpcRequestHeaderProto, resp proto.Message, e *remoteError) ([]byte, error) {
	h := &pb.RpcResponseHeaderProto{
		CallId:              proto.Uint32(uint32(rh.GetCallId())),
		Status:              pb.RpcResponseHeaderProto_SUCCESS.Enum(),
		ServerIpcVersionNum: proto.Uint32(rpcVersion),
		ClientId:            rh.GetClientId(),
	}
	if e != nil {
		code := e.code
		if code == 0 {
			code = pb.RpcResponseHeaderProto_ERROR_APPLICATION
		}
		h.Status = pb.RpcResponseHeaderProto_ERROR.Enum()
		h.ExceptionClassName = proto.String(e.class)
		h.ErrorMsg = proto.String(e.msg)
		h.ErrorDetail = code.Enum()
	}
	out, err := appendDelimited(make([]byte, 4, 256), h)
	if err != nil {
		return nil, err
	}
	if e == nil {
		if out, err = appendDelimited(out, resp); err != nil {
			return nil, err
		}
	}
	binary.BigEndian.PutUint32(out, uint32(len(out)-4))
	return out, nil
}

// handler decodes a request body and runs a namenode method; it is called
// with c.mu held.
type handler func(c *Cluster, user string, body []byte) (proto.Message, *remoteError)

// method adapts a typed namenode method to a handler.
func method[Req any, PReq interface {
	*Req
	proto.Message
}](fn func(c *Cluster, user string, req PReq) (proto.Message, *remoteError)) handler {
	return func(c *Cluster, user string, body []byte) (proto.Message, *remoteError) {
		req := PReq(new(Req))
		if err := proto.Unmarshal(body, req); err != nil {
			return nil, &remoteError{class: excBadRequest, msg: "cannot decode request: " + err.Error(), code: pb.RpcResponseHeaderProto_ERROR_RPC_SERVER}
		}
		return fn(c, user, req)
	}
}

var methods = map[string]handler{
	"getFileInfo":            method((*Cluster).getFileInfo),
	"getListing":             method((*Cluster).getListing),
	"mkdirs":                 method((*Cluster).mkdirs),
	"create":                 method((*Cluster).create),
	"addBlock":               method((*Cluster).addBlock),
	"updateBlockForPipeline": method((*Cluster).updateBlockForPipeline),
	"complete":               method((*Cluster).complete),
	"getBlockLocations":      method((*Cluster).getBlockLocations),
	"getServerDefaults":      method((*Cluster).getServerDefaults),
	"rename2":                method((*Cluster).rename2),
	"delete":                 method((*Cluster).delete),
	"renewLease":             method((*Cluster).renewLease),
}

// call dispatches one RPC on the method and protocol names in its
// RequestHeaderProto.
func (c *Cluster) call(standby bool, user string, req *pb.RequestHeaderProto, body []byte) (proto.Message, *remoteError) {
	name := req.GetMethodName()
	if standby {
		return nil, rerr(excStandby, "Operation category READ is not supported in state standby")
	}
	if p := req.GetDeclaringClassProtocolName(); p != clientProtocol {
		return nil, &remoteError{class: excNoSuchProtocol, msg: "unknown protocol: " + p, code: pb.RpcResponseHeaderProto_ERROR_NO_SUCH_PROTOCOL}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[name]++
	if c.standbyCalls > 0 {
		c.standbyCalls--
		return nil, rerr(excStandby, "Operation category %s is not supported in state standby", name)
	}
	if q := c.injected[name]; len(q) > 0 {
		c.injected[name] = q[1:]
		return nil, q[0]
	}
	h, ok := methods[name]
	if !ok {
		return nil, &remoteError{class: excNoSuchMethod, msg: "unknown method " + name + " called on " + clientProtocol, code: pb.RpcResponseHeaderProto_ERROR_NO_SUCH_METHOD}
	}
	return h(c, user, body)
}
