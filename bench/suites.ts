/** The benchmark suites `pnpm bench` runs, in order. Add one line per suite. */
export interface BenchSuite {
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}

export const SUITES: readonly BenchSuite[] = [];
