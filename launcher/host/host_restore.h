#pragma once
// The undo of every journal action vmrun knows, each behind a check that the
// entry is one vmrun itself could have written for this VM. One place, so the
// supervisor's teardown and 'vmrun restore' after a crash do exactly the same.

#include "host/journal.h"
#include "plan/vm_paths.h"

namespace vmrun {

Restorer make_restorer(const VmPaths& vm);

}  // namespace vmrun
