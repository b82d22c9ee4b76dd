/**
 * The methods each route path answers, learnt as routes are added: a request for a path that
 * exists with another method is then 405 with `Allow`, not 404.
 */
export class RouteMethods {
  private readonly paths = new Map<string, { pattern: RegExp; methods: Set<string> }>();

  add(url: string, methods: string | readonly string[]): void {
    let entry = this.paths.get(url);
    if (entry === undefined) {
      // `:name` matches one path segment; `*` the rest.
      const source = url
        .split('/')
        .map((part) =>
          part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      entry = { pattern: new RegExp(`^${source}/?$`), methods: new Set() };
      this.paths.set(url, entry);
    }
    for (const method of typeof methods === 'string' ? [methods] : methods) entry.methods.add(method);
  }

  /** The methods the path answers, when it exists; empty when no route has this path. */
  allowedFor(path: string): string[] {
    const allowed = new Set<string>();
    for (const { pattern, methods } of this.paths.values()) {
      if (pattern.test(path)) for (const method of methods) allowed.add(method);
    }
    return [...allowed].sort();
  }
}
