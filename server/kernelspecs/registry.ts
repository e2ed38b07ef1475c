import type { KernelSpecModel } from "../../contracts/kernelspec.ts";

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
