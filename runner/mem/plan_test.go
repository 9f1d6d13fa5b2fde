package mem_test

import "github.com/crunchgo/crunchgo/plan"

func planOpts() plan.Options { return plan.Options{NoCombinerLifting: true, NoFusionBlocks: true} }
