package policy

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"
)

// variable is one CEL variable: a leaf field of Facts named by its JSON path.
type variable struct {
	name  string
	typ   *cel.Type
	index []int // field index path from Facts
	get   func(reflect.Value) ref.Val
}

var moneyType = reflect.TypeFor[Money]()

// factVariables derives the CEL variables from the Facts struct: every leaf
// field, named by its JSON tags joined with dots. Built once per Engine.
func factVariables() ([]variable, error) {
	var out []variable
	var walk func(t reflect.Type, prefix string, index []int) error
	walk = func(t reflect.Type, prefix string, index []int) error {
		for i := range t.NumField() {
			sf := t.Field(i)
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				return fmt.Errorf("policy: Facts field %s has no json name", sf.Name)
			}
			name := prefix + tag
			idx := append(append([]int(nil), index...), i)
			ft := sf.Type
			if ft.Kind() == reflect.Struct {
				if err := walk(ft, name+".", idx); err != nil {
					return err
				}
				continue
			}
			v := variable{name: name, index: idx}
			switch {
			case ft == moneyType, ft.Kind() == reflect.Int, ft.Kind() == reflect.Int64:
				v.typ, v.get = cel.IntType, func(x reflect.Value) ref.Val { return types.Int(x.Int()) }
			case ft.Kind() == reflect.String:
				v.typ, v.get = cel.StringType, func(x reflect.Value) ref.Val { return types.String(x.String()) }
			case ft.Kind() == reflect.Bool:
				v.typ, v.get = cel.BoolType, func(x reflect.Value) ref.Val { return types.Bool(x.Bool()) }
			case ft.Kind() == reflect.Float64:
				v.typ, v.get = cel.DoubleType, func(x reflect.Value) ref.Val { return types.Double(x.Float()) }
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
				v.typ, v.get = cel.ListType(cel.StringType), func(x reflect.Value) ref.Val {
					return types.NewStringList(types.DefaultTypeAdapter, x.Interface().([]string))
				}
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Int:
				v.typ, v.get = cel.ListType(cel.IntType), func(x reflect.Value) ref.Val {
					return types.DefaultTypeAdapter.NativeToValue(x.Interface())
				}
			default:
				return fmt.Errorf("policy: Facts field %s has unsupported type %s", name, ft)
			}
			out = append(out, v)
		}
		return nil
	}
	if err := walk(reflect.TypeFor[Facts](), "", nil); err != nil {
		return nil, err
	}
	return out, nil
}

// activation resolves CEL variables against one Facts value. It is built
// once per decision and reads fields lazily, so a rule only pays for the
// variables it names.
type activation struct {
	vars  map[string]*variable
	facts reflect.Value // Facts (addressable)
	// used, when set, collects the variables read (Engine.Explain).
	used *[]*variable
}

var _ interpreter.Activation = (*activation)(nil)

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	v, ok := a.vars[name]
	if !ok {
		return nil, false
	}
	return v.get(a.use(v)), true
}

// use returns the Facts field of v, noting that it was read.
func (a *activation) use(v *variable) reflect.Value {
	if a.used != nil && !slices.Contains(*a.used, v) {
		*a.used = append(*a.used, v)
	}
	return a.field(v)
}

// field returns the Facts field of v.
func (a *activation) field(v *variable) reflect.Value {
	f := a.facts
	for _, i := range v.index {
		f = f.Field(i)
	}
	return f
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }
