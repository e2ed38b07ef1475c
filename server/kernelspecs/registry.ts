/** A Jupyter kernelspec as GET /api/kernelspecs reports it. */
export interface KernelSpecModel {
  name: string;
  spec: {
    argv: string[];
    display_name: string;
    language: string;
    interrupt_mode?: "signal" | "message";
    env?: Record<string, string>;
    metadata?: Record<string, unknown>;
  };
  resources: Record<string, string>;
}

/** The kernels this server can start, by name. */
export class KernelSpecRegistry {
  private readonly specs: Map<string, KernelSpecModel>;

  constructor(
    specs: KernelSpecModel[],
    readonly defaultName: string,
  ) {
    this.specs = new Map(specs.map((s) => [s.name, s]));
  }

  get(name: string): KernelSpecModel | undefined {
    return this.specs.get(name);
  }

  names(): string[] {
    return [...this.specs.keys()];
  }

  all(): KernelSpecModel[] {
    return [...this.specs.values()];
  }
}
