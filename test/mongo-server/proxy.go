package main

// A wire-protocol proxy in front of FerretDB that runs one command at a time.
//
// Why: FerretDB v1 implements findAndModify / update / delete as "query, then write the changed
// documents back by _id" without re-checking the filter in the write (see
// internal/handler/msg_findandmodify.go and internal/handler/common/update.go in v1.24.2), so two
// concurrent compare-and-set updates ({_id, rev: 5} -> $inc rev) can both succeed. MongoDB
// guarantees single-document atomicity, and OneThing's store relies on it. Running every
// command on its own (a global mutex around request -> reply) restores that guarantee. FerretDB
// answers every request with exactly one reply (no exhaust cursors, no moreToCome, no
// compression, no awaitable hello), so request/reply pairing is exact.

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
)

const (
	opQuery       = 2004
	opMsg         = 2013
	maxMessageLen = 64 << 20 // MongoDB's limit is 48 MB
)

type proxy struct {
	upstream  string // FerretDB's address
	serialize bool
	logger    *slog.Logger

	cmdMu sync.Mutex // held while one command is being executed by FerretDB

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// serve accepts connections until ctx is done, then closes them all and waits for the handlers.
func (p *proxy) serve(ctx context.Context, ln net.Listener) {
	p.conns = map[net.Conn]struct{}{}
	go func() {
		<-ctx.Done()
		_ = ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
	}()

	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() == nil {
				p.logger.Warn("proxy accept failed", "error", err)
			}
			break
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(ctx, c)
		}()
	}
	p.wg.Wait()
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *proxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, c)
	_ = c.Close()
}

func (p *proxy) handle(ctx context.Context, client net.Conn) {
	p.track(client)
	defer p.untrack(client)
	if ctx.Err() != nil {
		return
	}

	up, err := net.Dial("tcp", p.upstream)
	if err != nil {
		p.logger.Warn("proxy cannot reach FerretDB", "error", err)
		return
	}
	p.track(up)
	defer p.untrack(up)

	cr := bufio.NewReader(client)
	ur := bufio.NewReader(up)
	for {
		req, err := readMessage(cr)
		if err != nil {
			if err != io.EOF && ctx.Err() == nil {
				p.logger.Debug("proxy: client read", "error", err)
			}
			return
		}

		lock := p.serialize && !isHandshake(req)
		if lock {
			p.cmdMu.Lock()
		}
		var res []byte
		_, err = up.Write(req)
		if err == nil {
			res, err = readMessage(ur)
		}
		if lock {
			p.cmdMu.Unlock()
		}
		if err != nil {
			if ctx.Err() == nil {
				p.logger.Warn("proxy: FerretDB connection failed", "error", err)
			}
			return
		}

		if _, err = client.Write(res); err != nil {
			return
		}
	}
}

// readMessage reads one whole wire-protocol message (16-byte header included).
func readMessage(r *bufio.Reader) ([]byte, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.LittleEndian.Uint32(lenBuf[:])))
	if n < 16 || n > maxMessageLen {
		return nil, fmt.Errorf("bad message length %d", n)
	}
	msg := make([]byte, n)
	copy(msg, lenBuf[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// isHandshake reports whether msg is a connection handshake / monitoring command (hello,
// isMaster, legacy OP_QUERY), which need not wait for other commands.
func isHandshake(msg []byte) bool {
	switch binary.LittleEndian.Uint32(msg[12:16]) {
	case opQuery:
		return true
	case opMsg:
		// header(16) flagBits(4) kind(1)=0 BSON: length(4) type(1) name(cstring)
		if len(msg) < 27 || msg[20] != 0 {
			return false
		}
		name := msg[26:]
		if i := strings.IndexByte(string(name[:min(len(name), 32)]), 0); i > 0 {
			switch strings.ToLower(string(name[:i])) {
			case "hello", "ismaster":
				return true
			}
		}
	}
	return false
}
