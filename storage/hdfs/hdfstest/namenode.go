package hdfstest

import (
	"path"
	"slices"
	"strings"
	"time"

	pb "github.com/crunchgo/crunchgo/storage/hdfs/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

const (
	poolID       = "BP-crunchgo-hdfstest"
	datanodeUUID = "crunchgo-hdfstest-datanode"
	storageID    = "DS-crunchgo-hdfstest"
	group        = "supergroup"
	firstBlockID = 1 << 30
	firstGenSt   = 1001
	firstFileID  = 16386
)

// namespace is the namenode's file tree and block map. All access is under
// Cluster.mu.
type namespace struct {
	inodes      map[string]*inode // by clean absolute path
	blocks      map[uint64]*block // by block ID
	nextFileID  uint64
	nextBlockID uint64
}

type inode struct {
	dir         bool
	id          uint64
	perm        uint32
	owner       string
	mtime       time.Time
	blocks      []*block
	blockSize   uint64
	replication uint32
	// Set while a file is being written.
	underConstruction bool
	leaseHolder       string
}

// block is one block of a file. data is what the datanode has received;
// numBytes is the length the client reported when it finished the block.
type block struct {
	id        uint64
	gen       uint64
	file      *inode
	data      []byte
	numBytes  uint64
	finalized bool // the datanode received the last packet
	writing   bool // a write pipeline is open
}

func (ns *namespace) init() {
	ns.inodes = map[string]*inode{"/": {dir: true, id: firstFileID - 1, perm: 0o755, owner: "hdfs", mtime: time.Now()}}
	ns.blocks = map[uint64]*block{}
	ns.nextFileID = firstFileID
	ns.nextBlockID = firstBlockID
}

func (ns *namespace) newID() uint64 {
	id := ns.nextFileID
	ns.nextFileID++
	return id
}

// children returns the sorted paths of dir's entries.
func (ns *namespace) children(dir string) []string {
	var out []string
	for p := range ns.inodes {
		if p != "/" && path.Dir(p) == dir {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// subtree returns p and every path below it.
func (ns *namespace) subtree(p string) []string {
	out := []string{p}
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	for q := range ns.inodes {
		if q != p && strings.HasPrefix(q, prefix) {
			out = append(out, q)
		}
	}
	return out
}

func (f *inode) length() uint64 {
	var n uint64
	for _, b := range f.blocks {
		n += b.numBytes
	}
	return n
}

// checkPath validates a client-supplied path and returns it cleaned.
func checkPath(p string) (string, *remoteError) {
	if !strings.HasPrefix(p, "/") {
		return "", rerr(excInvalidPath, "Invalid path name %s: not absolute", p)
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "." || elem == ".." || strings.Contains(elem, ":") {
			return "", rerr(excInvalidPath, "Invalid path name %s", p)
		}
	}
	return path.Clean(p), nil
}

// checkParent reports whether p's parent exists and is a directory.
func (ns *namespace) checkParent(p string) *remoteError {
	dir := path.Dir(p)
	parent, ok := ns.inodes[dir]
	if !ok {
		return rerr(excFileNotFound, "Parent directory doesn't exist: %s", dir)
	}
	if !parent.dir {
		return rerr(excParentNotDirectory, "Parent path is not a directory: %s", dir)
	}
	return nil
}

func (c *Cluster) status(name string, f *inode) *pb.HdfsFileStatusProto {
	st := &pb.HdfsFileStatusProto{
		FileType:         pb.HdfsFileStatusProto_IS_FILE.Enum(),
		Path:             []byte(name),
		Length:           proto.Uint64(0),
		Permission:       &pb.FsPermissionProto{Perm: proto.Uint32(f.perm)},
		Owner:            proto.String(f.owner),
		Group:            proto.String(group),
		ModificationTime: proto.Uint64(millis(f.mtime)),
		AccessTime:       proto.Uint64(millis(f.mtime)),
		FileId:           proto.Uint64(f.id),
		StoragePolicy:    proto.Uint32(0),
		Flags:            proto.Uint32(0),
	}
	if f.dir {
		st.FileType = pb.HdfsFileStatusProto_IS_DIR.Enum()
		st.BlockReplication = proto.Uint32(0)
		st.Blocksize = proto.Uint64(0)
		st.ChildrenNum = proto.Int32(0) // filled in by callers that know it
	} else {
		st.Length = proto.Uint64(f.length())
		st.BlockReplication = proto.Uint32(f.replication)
		st.Blocksize = proto.Uint64(f.blockSize)
	}
	return st
}

func (c *Cluster) datanodeInfo() *pb.DatanodeInfoProto {
	_, port := splitPort(c.dn.Addr().String())
	return &pb.DatanodeInfoProto{
		Id: &pb.DatanodeIDProto{
			IpAddr:       proto.String("127.0.0.1"),
			HostName:     proto.String(c.opts.datanodeHost),
			DatanodeUuid: proto.String(datanodeUUID),
			XferPort:     proto.Uint32(port),
			InfoPort:     proto.Uint32(0),
			IpcPort:      proto.Uint32(0),
		},
		Capacity:  proto.Uint64(1 << 40),
		Remaining: proto.Uint64(1 << 40),
		Location:  proto.String("/default-rack"),
	}
}

func extended(b *block) *pb.ExtendedBlockProto {
	return &pb.ExtendedBlockProto{
		PoolId:          proto.String(poolID),
		BlockId:         proto.Uint64(b.id),
		GenerationStamp: proto.Uint64(b.gen),
		NumBytes:        proto.Uint64(b.numBytes),
	}
}

func (c *Cluster) located(b *block, offset uint64) *pb.LocatedBlockProto {
	return &pb.LocatedBlockProto{
		B:       extended(b),
		Offset:  proto.Uint64(offset),
		Locs:    []*pb.DatanodeInfoProto{c.datanodeInfo()},
		Corrupt: proto.Bool(false),
		// Block access tokens are off (dfs.block.access.token.enable=false),
		// which Hadoop signals with an empty token; the fields are required.
		BlockToken: &pb.TokenProto{
			Identifier: []byte{},
			Password:   []byte{},
			Kind:       proto.String(""),
			Service:    proto.String(""),
		},
		IsCached:     []bool{false},
		StorageTypes: []pb.StorageTypeProto{pb.StorageTypeProto_DISK},
		StorageIDs:   []string{storageID},
	}
}

func (c *Cluster) getFileInfo(_ string, req *pb.GetFileInfoRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	f, ok := c.ns.inodes[p]
	if !ok {
		return &pb.GetFileInfoResponseProto{}, nil
	}
	st := c.status("", f)
	if f.dir {
		st.ChildrenNum = proto.Int32(int32(len(c.ns.children(p))))
	}
	return &pb.GetFileInfoResponseProto{Fs: st}, nil
}

func (c *Cluster) getListing(_ string, req *pb.GetListingRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	f, ok := c.ns.inodes[p]
	if !ok {
		return &pb.GetListingResponseProto{}, nil
	}
	if !f.dir {
		return &pb.GetListingResponseProto{DirList: &pb.DirectoryListingProto{
			PartialListing:   []*pb.HdfsFileStatusProto{c.status("", f)},
			RemainingEntries: proto.Uint32(0),
		}}, nil
	}
	after := string(req.GetStartAfter())
	var names []string
	for _, q := range c.ns.children(p) {
		if name := path.Base(q); name > after {
			names = append(names, name)
		}
	}
	list := &pb.DirectoryListingProto{RemainingEntries: proto.Uint32(0)}
	if len(names) > c.opts.listLimit {
		list.RemainingEntries = proto.Uint32(uint32(len(names) - c.opts.listLimit))
		names = names[:c.opts.listLimit]
	}
	for _, name := range names {
		q := path.Join(p, name)
		child := c.ns.inodes[q]
		st := c.status(name, child)
		if child.dir {
			st.ChildrenNum = proto.Int32(int32(len(c.ns.children(q))))
		}
		list.PartialListing = append(list.PartialListing, st)
	}
	return &pb.GetListingResponseProto{DirList: list}, nil
}

// mkdirAll creates p and its missing parents (only p's parents when
// createParent is false and p's parent is missing, it fails).
func (c *Cluster) mkdirAll(user, p string, perm uint32, createParent bool) *remoteError {
	if f, ok := c.ns.inodes[p]; ok {
		if f.dir {
			return nil
		}
		return rerr(excFileAlreadyExists, "Path is not a directory: %s", p)
	}
	var missing []string
	for q := p; ; q = path.Dir(q) {
		f, ok := c.ns.inodes[q]
		if ok {
			if !f.dir {
				return rerr(excParentNotDirectory, "Parent path is not a directory: %s", q)
			}
			break
		}
		missing = append(missing, q)
	}
	if len(missing) > 1 && !createParent {
		return rerr(excFileNotFound, "Parent directory doesn't exist: %s", path.Dir(p))
	}
	now := time.Now()
	for i := len(missing) - 1; i >= 0; i-- {
		c.ns.inodes[missing[i]] = &inode{dir: true, id: c.ns.newID(), perm: perm, owner: user, mtime: now}
	}
	c.ns.inodes[path.Dir(missing[len(missing)-1])].mtime = now
	return nil
}

func (c *Cluster) mkdirs(user string, req *pb.MkdirsRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	if e := c.mkdirAll(user, p, req.GetMasked().GetPerm()&0o777, req.GetCreateParent()); e != nil {
		return nil, e
	}
	return &pb.MkdirsResponseProto{Result: proto.Bool(true)}, nil
}

func (c *Cluster) create(user string, req *pb.CreateRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	if p == "/" {
		return nil, rerr(excFileAlreadyExists, "/ already exists as a directory")
	}
	flag := req.GetCreateFlag()
	if flag&uint32(pb.CreateFlagProto_APPEND) != 0 {
		return nil, rerr(excIO, "append is not supported by hdfstest")
	}
	bs := req.GetBlockSize()
	if bs == 0 || bs%chunkSize != 0 {
		return nil, rerr(excIO, "Invalid block size %d: must be a positive multiple of %d", bs, chunkSize)
	}
	if old, ok := c.ns.inodes[p]; ok {
		switch {
		case old.dir:
			return nil, rerr(excFileAlreadyExists, "%s already exists as a directory", p)
		case old.underConstruction:
			return nil, rerr(excAlreadyBeing, "failed to create file %s for %s because the file is being written by %s", p, req.GetClientName(), old.leaseHolder)
		case flag&uint32(pb.CreateFlagProto_OVERWRITE) == 0:
			return nil, rerr(excFileAlreadyExists, "%s for client %s already exists", p, req.GetClientName())
		}
		c.remove(p)
	}
	if e := c.ns.checkParent(p); e != nil {
		if e.class != excFileNotFound || !req.GetCreateParent() {
			return nil, e
		}
		if e := c.mkdirAll(user, path.Dir(p), 0o755, true); e != nil {
			return nil, e
		}
	}
	now := time.Now()
	f := &inode{
		id:                c.ns.newID(),
		perm:              req.GetMasked().GetPerm() & 0o777,
		owner:             user,
		mtime:             now,
		blockSize:         bs,
		replication:       req.GetReplication(),
		underConstruction: true,
		leaseHolder:       req.GetClientName(),
	}
	c.ns.inodes[p] = f
	c.ns.inodes[path.Dir(p)].mtime = now
	return &pb.CreateResponseProto{Fs: c.status("", f)}, nil
}

// fileBeingWritten finds the file a block-level call refers to (by ID when
// the client sent one, else by path) and checks the caller holds its lease.
func (c *Cluster) fileBeingWritten(src string, fileID uint64, client string) (*inode, *remoteError) {
	var f *inode
	if fileID != 0 {
		for _, g := range c.ns.inodes {
			if g.id == fileID {
				f = g
				break
			}
		}
	} else {
		f = c.ns.inodes[path.Clean(src)]
	}
	if f == nil || f.dir {
		return nil, rerr(excFileNotFound, "File does not exist: %s (inode %d)", src, fileID)
	}
	if !f.underConstruction || f.leaseHolder != client {
		return nil, rerr(excLeaseExpired, "Lease mismatch on %s (inode %d): %s does not hold a lease", src, fileID, client)
	}
	return f, nil
}

// commitBlock records the length the client reports for the file's last
// block.
func commitBlock(f *inode, src string, eb *pb.ExtendedBlockProto) *remoteError {
	if len(f.blocks) == 0 {
		return rerr(excIO, "%s has no blocks but the client reported block %d", src, eb.GetBlockId())
	}
	last := f.blocks[len(f.blocks)-1]
	if last.id != eb.GetBlockId() {
		return rerr(excIO, "block %d is not the last block of %s (that is %d)", eb.GetBlockId(), src, last.id)
	}
	if eb.GetNumBytes() > f.blockSize {
		return rerr(excIO, "block %d of %s has %d bytes, more than the block size %d", last.id, src, eb.GetNumBytes(), f.blockSize)
	}
	last.numBytes = eb.GetNumBytes()
	return nil
}

func (c *Cluster) addBlock(_ string, req *pb.AddBlockRequestProto) (proto.Message, *remoteError) {
	f, e := c.fileBeingWritten(req.GetSrc(), req.GetFileId(), req.GetClientName())
	if e != nil {
		return nil, e
	}
	if prev := req.GetPrevious(); prev != nil {
		if e := commitBlock(f, req.GetSrc(), prev); e != nil {
			return nil, e
		}
	} else if len(f.blocks) > 0 {
		return nil, rerr(excIO, "addBlock on %s without the previous block", req.GetSrc())
	}
	offset := f.length()
	b := &block{id: c.ns.nextBlockID, gen: firstGenSt, file: f}
	c.ns.nextBlockID++
	c.ns.blocks[b.id] = b
	f.blocks = append(f.blocks, b)
	return &pb.AddBlockResponseProto{Block: c.located(b, offset)}, nil
}

func (c *Cluster) updateBlockForPipeline(_ string, req *pb.UpdateBlockForPipelineRequestProto) (proto.Message, *remoteError) {
	eb := req.GetBlock()
	b, ok := c.ns.blocks[eb.GetBlockId()]
	if !ok {
		return nil, rerr(excIO, "block %d does not exist", eb.GetBlockId())
	}
	f := b.file
	if !f.underConstruction || f.leaseHolder != req.GetClientName() {
		return nil, rerr(excLeaseExpired, "block %d: %s does not hold the lease", b.id, req.GetClientName())
	}
	if f.blocks[len(f.blocks)-1] == b {
		if eb.GetNumBytes() > f.blockSize {
			return nil, rerr(excIO, "block %d has %d bytes, more than the block size %d", b.id, eb.GetNumBytes(), f.blockSize)
		}
		b.numBytes = eb.GetNumBytes()
	}
	var offset uint64
	for _, fb := range f.blocks {
		if fb == b {
			break
		}
		offset += fb.numBytes
	}
	return &pb.UpdateBlockForPipelineResponseProto{Block: c.located(b, offset)}, nil
}

func (c *Cluster) complete(_ string, req *pb.CompleteRequestProto) (proto.Message, *remoteError) {
	var f *inode
	if g, ok := c.ns.inodes[path.Clean(req.GetSrc())]; ok && !g.dir && !g.underConstruction &&
		(req.GetFileId() == 0 || g.id == req.GetFileId()) {
		// A retried complete of a file that is already closed succeeds.
		return &pb.CompleteResponseProto{Result: proto.Bool(true)}, nil
	}
	f, e := c.fileBeingWritten(req.GetSrc(), req.GetFileId(), req.GetClientName())
	if e != nil {
		return nil, e
	}
	if last := req.GetLast(); last != nil {
		if e := commitBlock(f, req.GetSrc(), last); e != nil {
			return nil, e
		}
	}
	if c.failCompletes > 0 {
		c.failCompletes--
		return &pb.CompleteResponseProto{Result: proto.Bool(false)}, nil
	}
	// A client that writes zero bytes after adding a block (colinmarc/hdfs
	// does, for an empty Write) commits an empty block no datanode ever saw;
	// it holds no data, so drop it instead of waiting for it forever.
	if n := len(f.blocks); n > 0 {
		if b := f.blocks[n-1]; b.numBytes == 0 && !b.writing && len(b.data) == 0 {
			delete(c.ns.blocks, b.id)
			f.blocks = f.blocks[:n-1]
		}
	}
	// Like Hadoop, the file can only be closed once every block is on the
	// datanode (minimally replicated) with the length the client reported.
	for _, b := range f.blocks {
		if !b.finalized || uint64(len(b.data)) != b.numBytes {
			return &pb.CompleteResponseProto{Result: proto.Bool(false)}, nil
		}
	}
	f.underConstruction = false
	f.leaseHolder = ""
	f.mtime = time.Now()
	return &pb.CompleteResponseProto{Result: proto.Bool(true)}, nil
}

func (c *Cluster) getBlockLocations(_ string, req *pb.GetBlockLocationsRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	f, ok := c.ns.inodes[p]
	if !ok {
		return nil, rerr(excFileNotFound, "File does not exist: %s", p)
	}
	if f.dir {
		return nil, rerr(excFileNotFound, "Path is not a file: %s", p)
	}
	lbs := &pb.LocatedBlocksProto{
		FileLength:          proto.Uint64(f.length()),
		UnderConstruction:   proto.Bool(f.underConstruction),
		IsLastBlockComplete: proto.Bool(!f.underConstruction),
	}
	start, end := req.GetOffset(), req.GetOffset()+req.GetLength()
	var off uint64
	for _, b := range f.blocks {
		if off < end && off+b.numBytes > start {
			lbs.Blocks = append(lbs.Blocks, c.located(b, off))
		}
		off += b.numBytes
	}
	return &pb.GetBlockLocationsResponseProto{Locations: lbs}, nil
}

func (c *Cluster) getServerDefaults(_ string, _ *pb.GetServerDefaultsRequestProto) (proto.Message, *remoteError) {
	return &pb.GetServerDefaultsResponseProto{ServerDefaults: &pb.FsServerDefaultsProto{
		BlockSize:        proto.Uint64(uint64(c.opts.blockSize)),
		BytesPerChecksum: proto.Uint32(chunkSize),
		WritePacketSize:  proto.Uint32(packetSize),
		Replication:      proto.Uint32(1),
		FileBufferSize:   proto.Uint32(4096),
		ChecksumType:     pb.ChecksumTypeProto_CHECKSUM_CRC32C.Enum(),
	}}, nil
}

func (c *Cluster) rename2(_ string, req *pb.Rename2RequestProto) (proto.Message, *remoteError) {
	src, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	dst, e := checkPath(req.GetDst())
	if e != nil {
		return nil, e
	}
	sf, ok := c.ns.inodes[src]
	switch {
	case src == "/":
		return nil, rerr(excIO, "rename source cannot be the root")
	case !ok:
		return nil, rerr(excFileNotFound, "rename source %s is not found.", src)
	case src == dst:
		return nil, rerr(excFileAlreadyExists, "The source %s and destination %s are the same", src, dst)
	case strings.HasPrefix(dst, src+"/"):
		return nil, rerr(excIO, "Rename destination %s is a directory or file under source %s", dst, src)
	}
	if e := c.ns.checkParent(dst); e != nil {
		return nil, e
	}
	if df, ok := c.ns.inodes[dst]; ok {
		switch {
		case !req.GetOverwriteDest():
			return nil, rerr(excFileAlreadyExists, "rename destination %s already exists.", dst)
		case df.dir != sf.dir:
			return nil, rerr(excIO, "Source %s and destination %s must both be directories or both be files", src, dst)
		case df.dir && len(c.ns.children(dst)) > 0:
			return nil, rerr(excIO, "rename destination directory is not empty: %s", dst)
		}
		c.remove(dst)
	}
	for _, q := range c.ns.subtree(src) {
		c.ns.inodes[dst+strings.TrimPrefix(q, src)] = c.ns.inodes[q]
		delete(c.ns.inodes, q)
	}
	now := time.Now()
	c.ns.inodes[path.Dir(src)].mtime = now
	c.ns.inodes[path.Dir(dst)].mtime = now
	return &pb.Rename2ResponseProto{}, nil
}

// remove deletes p and everything below it, with their blocks.
func (c *Cluster) remove(p string) {
	for _, q := range c.ns.subtree(p) {
		for _, b := range c.ns.inodes[q].blocks {
			delete(c.ns.blocks, b.id)
		}
		delete(c.ns.inodes, q)
	}
	if parent, ok := c.ns.inodes[path.Dir(p)]; ok {
		parent.mtime = time.Now()
	}
}

func (c *Cluster) delete(_ string, req *pb.DeleteRequestProto) (proto.Message, *remoteError) {
	p, e := checkPath(req.GetSrc())
	if e != nil {
		return nil, e
	}
	f, ok := c.ns.inodes[p]
	switch {
	case !ok:
		return &pb.DeleteResponseProto{Result: proto.Bool(false)}, nil
	case p == "/":
		return nil, rerr(excIO, "cannot delete the root directory")
	case f.dir && !req.GetRecursive() && len(c.ns.children(p)) > 0:
		return nil, rerr(excNotEmpty, "`%s is non empty': Directory is not empty", p)
	}
	c.remove(p)
	return &pb.DeleteResponseProto{Result: proto.Bool(true)}, nil
}

func (c *Cluster) renewLease(_ string, _ *pb.RenewLeaseRequestProto) (proto.Message, *remoteError) {
	return &pb.RenewLeaseResponseProto{}, nil
}
