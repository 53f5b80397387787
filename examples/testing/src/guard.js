// The Worker's guard, in a module of its own so that tests can trip and reset it.
import { createGuard } from "edgefuse";

export const guard = createGuard({ plan: "free" });
