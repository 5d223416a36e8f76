package console

import (
	"encoding/json"
	"errors"

	"github.com/exdesk/exdesk/store"
)

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
