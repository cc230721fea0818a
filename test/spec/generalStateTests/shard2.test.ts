/** GeneralStateTests (Cancun), shard 3 of 4: see shard.ts. */
import { runShard } from "./shard.ts";

runShard(2);
