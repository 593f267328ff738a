package publishbench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/pipeline/publish"
)

// BatchSize is the objects per request of RawImport.
const BatchSize = 200

// RawImport writes objs with the client's batcher alone, BatchSize per
// request, into a new collection name of publish's schema, deletes the
// collection and returns how long the writes took (creation and deletion
// not counted). An object Weaviate refuses is an error.
func RawImport(ctx context.Context, client *weaviate.Client, name string, objs []publish.Object) (time.Duration, error) {
	tg := &publish.Target{Client: client}
	if err := client.Schema().ClassCreator().WithClass(tg.Class(name)).Do(ctx); err != nil {
		return 0, fmt.Errorf("create %s: %w", name, err)
	}
	start := time.Now()
	for j := 0; j < len(objs); j += BatchSize {
		end := min(j+BatchSize, len(objs))
		batch := make([]*models.Object, 0, end-j)
		for _, o := range objs[j:end] {
			batch = append(batch, &models.Object{Class: name, ID: strfmt.UUID(o.ID), Properties: o.Props})
		}
		res, err := client.Batch().ObjectsBatcher().WithObjects(batch...).Do(ctx)
		if err != nil {
			return 0, fmt.Errorf("raw import: %w", err)
		}
		for _, r := range res {
			if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
				return 0, errors.New("raw import: " + r.Result.Errors.Error[0].Message)
			}
		}
	}
	d := time.Since(start)
	if err := client.Schema().ClassDeleter().WithClassName(name).Do(ctx); err != nil {
		return 0, fmt.Errorf("delete %s: %w", name, err)
	}
	return d, nil
}
