package hdfstest

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"strconv"
	"time"

	pb "github.com/crunchgo/crunchgo/storage/hdfs/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// DataTransferProtocol constants.
const (
	dataTransferVersion = 28
	opWriteBlock        = 0x50
	opReadBlock         = 0x51
	chunkSize           = 512      // bytes per checksum
	packetSize          = 64 << 10 // data bytes per packet the datanode sends
	heartbeatSeqno      = -1
	maxPacket           = 16 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func splitPort(addr string) (string, uint32) {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.ParseUint(port, 10, 16)
	return host, uint32(n)
}

// serveData speaks DataTransferProtocol version 28 on one connection: a
// 2-byte version, a 1-byte op code and a varint-delimited op message.
func (c *Cluster) serveData(conn net.Conn) {
	r := bufio.NewReader(conn)
	var hdr [3]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return
	}
	if v := binary.BigEndian.Uint16(hdr[:2]); v != dataTransferVersion {
		return
	}
	time.Sleep(c.opts.latency)
	switch hdr[2] {
	case opWriteBlock:
		c.writeBlock(conn, r)
	case opReadBlock:
		c.readBlock(conn, r)
	default:
		writeDelimited(conn, &pb.BlockOpResponseProto{
			Status:  pb.Status_ERROR_UNSUPPORTED.Enum(),
			Message: proto.String(fmt.Sprintf("op 0x%x is not supported by hdfstest", hdr[2])),
		})
	}
}

// writeDelimited writes m preceded by its varint length. Clients read five
// bytes eagerly before decoding such a message, so every message sent this
// way must be at least five bytes long including the length; callers make
// sure of it by setting optional fields (firstBadLink, reply).
func writeDelimited(w io.Writer, m proto.Message) error {
	b, err := appendDelimited(nil, m)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func opError(w io.Writer, status pb.Status, format string, args ...any) {
	writeDelimited(w, &pb.BlockOpResponseProto{
		Status:       status.Enum(),
		FirstBadLink: proto.String(""),
		Message:      proto.String(fmt.Sprintf(format, args...)),
	})
}

// packet is one data packet of a block write.
type packet struct {
	hdr       pb.PacketHeaderProto
	checksums []byte
	data      []byte
}

func readPacket(r *bufio.Reader) (*packet, error) {
	var lens [6]byte
	if _, err := io.ReadFull(r, lens[:]); err != nil {
		return nil, err
	}
	plen := binary.BigEndian.Uint32(lens[:4]) // includes these 4 bytes
	hlen := binary.BigEndian.Uint16(lens[4:])
	if plen < 4 || plen > maxPacket {
		return nil, fmt.Errorf("bad packet length %d", plen)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, err
	}
	p := &packet{}
	if err := proto.Unmarshal(hb, &p.hdr); err != nil {
		return nil, err
	}
	body := make([]byte, plen-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	dlen := int(p.hdr.GetDataLen())
	if dlen < 0 || dlen > len(body) {
		return nil, fmt.Errorf("packet data length %d exceeds payload %d", dlen, len(body))
	}
	p.checksums, p.data = body[:len(body)-dlen], body[len(body)-dlen:]
	return p, nil
}

func ack(w io.Writer, seqno int64, status pb.Status) error {
	return writeDelimited(w, &pb.PipelineAckProto{Seqno: proto.Int64(seqno), Reply: []pb.Status{status}})
}

// writeBlock receives one block: OpWriteBlockProto, a BlockOpResponseProto,
// then packets of CRC32C-checksummed chunks, each answered with a
// PipelineAckProto, up to a packet with lastPacketInBlock set.
func (c *Cluster) writeBlock(conn net.Conn, r *bufio.Reader) {
	var op pb.OpWriteBlockProto
	if err := readDelimited(r, &op); err != nil {
		return
	}
	id := op.GetHeader().GetBaseHeader().GetBlock().GetBlockId()
	c.mu.Lock()
	b, ok := c.ns.blocks[id]
	bad := ""
	switch {
	case !ok:
		bad = fmt.Sprintf("block %d does not exist", id)
	case op.GetStage() != pb.OpWriteBlockProto_PIPELINE_SETUP_CREATE:
		bad = fmt.Sprintf("block construction stage %s is not supported by hdfstest", op.GetStage())
	case len(op.GetTargets()) > 0:
		bad = "hdfstest has a single datanode: pipelines with targets are not supported"
	case b.writing || b.finalized || len(b.data) > 0:
		bad = fmt.Sprintf("block %d already exists", id)
	default:
		b.writing = true
	}
	blockSize := uint64(0)
	if ok {
		blockSize = b.file.blockSize
	}
	c.mu.Unlock()
	if bad != "" {
		opError(conn, pb.Status_ERROR, "%s", bad)
		return
	}
	defer func() {
		c.mu.Lock()
		b.writing = false
		c.mu.Unlock()
	}()
	sum := op.GetRequestedChecksum()
	var tab *crc32.Table
	switch sum.GetType() {
	case pb.ChecksumTypeProto_CHECKSUM_CRC32C:
		tab = castagnoli
	case pb.ChecksumTypeProto_CHECKSUM_CRC32:
		tab = crc32.IEEETable
	case pb.ChecksumTypeProto_CHECKSUM_NULL:
	default:
		opError(conn, pb.Status_ERROR_UNSUPPORTED, "checksum type %s is not supported", sum.GetType())
		return
	}
	bpc := int(sum.GetBytesPerChecksum())
	if tab != nil && bpc <= 0 {
		opError(conn, pb.Status_ERROR_INVALID, "bytes per checksum %d", bpc)
		return
	}
	if err := writeDelimited(conn, &pb.BlockOpResponseProto{
		Status:       pb.Status_SUCCESS.Enum(),
		FirstBadLink: proto.String(""),
	}); err != nil {
		return
	}
	for {
		p, err := readPacket(r)
		if err != nil {
			return
		}
		seqno := p.hdr.GetSeqno()
		if seqno == heartbeatSeqno {
			if ack(conn, seqno, pb.Status_SUCCESS) != nil {
				return
			}
			continue
		}
		if status := verifyPacket(p, tab, bpc); status != pb.Status_SUCCESS {
			ack(conn, seqno, status)
			return
		}
		c.mu.Lock()
		if c.failWriteAfter >= 0 {
			if int64(len(p.data)) > c.failWriteAfter {
				// The datanode "crashes": the packet is lost and the
				// connection dropped without an ack.
				c.failWriteAfter = c.failWriteEvery
				c.mu.Unlock()
				return
			}
			c.failWriteAfter -= int64(len(p.data))
		}
		status := pb.Status_SUCCESS
		switch {
		case uint64(p.hdr.GetOffsetInBlock()) != uint64(len(b.data)):
			status = pb.Status_ERROR_INVALID
		case uint64(len(b.data)+len(p.data)) > blockSize:
			status = pb.Status_ERROR_INVALID
		default:
			b.data = append(b.data, p.data...)
			if p.hdr.GetLastPacketInBlock() {
				b.finalized = true
			}
		}
		c.mu.Unlock()
		if ack(conn, seqno, status) != nil || status != pb.Status_SUCCESS {
			return
		}
		if p.hdr.GetLastPacketInBlock() {
			io.Copy(io.Discard, r) // wait for the client to hang up
			return
		}
	}
}

// verifyPacket checks a packet's chunk checksums.
func verifyPacket(p *packet, tab *crc32.Table, bpc int) pb.Status {
	if tab == nil {
		return pb.Status_SUCCESS
	}
	chunks := (len(p.data) + bpc - 1) / bpc
	if len(p.checksums) != 4*chunks {
		return pb.Status_ERROR_CHECKSUM
	}
	for i := 0; i < chunks; i++ {
		chunk := p.data[i*bpc : min((i+1)*bpc, len(p.data))]
		if crc32.Checksum(chunk, tab) != binary.BigEndian.Uint32(p.checksums[4*i:]) {
			return pb.Status_ERROR_CHECKSUM
		}
	}
	return pb.Status_SUCCESS
}

// readBlock sends part of a block: a BlockOpResponseProto naming the
// checksum and the chunk-aligned start offset, then packets of up to 64 KiB
// of 512-byte CRC32C chunks, then an empty last packet.
func (c *Cluster) readBlock(conn net.Conn, r *bufio.Reader) {
	var op pb.OpReadBlockProto
	if err := readDelimited(r, &op); err != nil {
		return
	}
	id := op.GetHeader().GetBaseHeader().GetBlock().GetBlockId()
	c.mu.Lock()
	var data []byte
	b, ok := c.ns.blocks[id]
	if ok {
		data = b.data[:len(b.data):len(b.data)] // appends never touch this prefix
	}
	corrupt := ok && c.corruptReads > 0
	if corrupt {
		c.corruptReads--
	}
	c.mu.Unlock()
	if !ok {
		opError(conn, pb.Status_ERROR, "block %d does not exist", id)
		return
	}
	off, n := op.GetOffset(), op.GetLen()
	size := uint64(len(data))
	if off > size {
		opError(conn, pb.Status_ERROR_INVALID, "offset %d is beyond the end of block %d (%d bytes)", off, id, size)
		return
	}
	start := off - off%chunkSize
	end := min(off+n, size)
	if rem := end % chunkSize; rem != 0 {
		end = min(end+chunkSize-rem, size)
	}
	if err := writeDelimited(conn, &pb.BlockOpResponseProto{
		Status:       pb.Status_SUCCESS.Enum(),
		FirstBadLink: proto.String(""),
		ReadOpChecksumInfo: &pb.ReadOpChecksumInfoProto{
			Checksum: &pb.ChecksumProto{
				Type:             pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(),
				BytesPerChecksum: proto.Uint32(chunkSize),
			},
			ChunkOffset: proto.Uint64(start),
		},
	}); err != nil {
		return
	}
	w := bufio.NewWriterSize(conn, packetSize+packetSize/chunkSize*4+64)
	seqno := int64(0)
	for pos := start; ; {
		last := pos >= end
		chunk := data[pos:min(pos+packetSize, end)]
		if err := sendPacket(w, int64(pos), seqno, last, chunk, corrupt); err != nil {
			return
		}
		if last {
			break
		}
		pos += uint64(len(chunk))
		seqno++
		corrupt = false
	}
	if w.Flush() != nil {
		return
	}
	io.Copy(io.Discard, r) // wait for the client to hang up
}

// sendPacket sends one packet of a block read; with corrupt set, the data
// carries a flipped bit its checksum does not cover.
func sendPacket(w io.Writer, off, seqno int64, last bool, data []byte, corrupt bool) error {
	hb, err := proto.Marshal(&pb.PacketHeaderProto{
		OffsetInBlock:     proto.Int64(off),
		Seqno:             proto.Int64(seqno),
		LastPacketInBlock: proto.Bool(last),
		DataLen:           proto.Int32(int32(len(data))),
	})
	if err != nil {
		return err
	}
	chunks := (len(data) + chunkSize - 1) / chunkSize
	buf := make([]byte, 6, 6+len(hb)+4*chunks)
	binary.BigEndian.PutUint32(buf, uint32(4+4*chunks+len(data)))
	binary.BigEndian.PutUint16(buf[4:], uint16(len(hb)))
	buf = append(buf, hb...)
	for i := 0; i < chunks; i++ {
		buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(data[i*chunkSize:min((i+1)*chunkSize, len(data))], castagnoli))
	}
	if _, err := w.Write(buf); err != nil {
		return err
	}
	if corrupt && len(data) > 0 {
		data = append([]byte{data[0] ^ 1}, data[1:]...)
	}
	_, err = w.Write(data)
	return err
}
