package session_manager

import "fmt"

// DispatchBackwards forwards a backwards invocation to the sessions waiting for it.
func DispatchBackwards(sessions []string, index int) {
	target := sessions[index]
	fmt.Println("dispatching to", target)
}
