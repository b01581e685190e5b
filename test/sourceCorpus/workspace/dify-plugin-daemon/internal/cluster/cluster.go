package cluster

import (
	"sync"
	"time"
)

type Cluster struct {
	mu    sync.Mutex
	nodes map[string]time.Time
}

// Run starts the heartbeat loop and the vote loop; the vote loop writes to a map nobody made.
var local Cluster

func Run() {
	c := &local
	var wg sync.WaitGroup
	wg.Add(1)
	go c.heartbeat(&wg)
	wg.Wait()
	c.vote("node-2")
}

func (c *Cluster) heartbeat(ready *sync.WaitGroup) {
	ready.Done()
	select {}
}

func (c *Cluster) vote(node string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nodes[node] = time.Unix(0, 0)
}
