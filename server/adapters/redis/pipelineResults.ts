/**
 * Reads the replies of an ioredis pipeline in order, throwing the first command's error: the one
 * way every pipelined read in the Redis adapters unpacks its results.
 */
export function pipelineReader(results: [Error | null, unknown][] | null): <T>() => T {
  let i = 0;
  const list = results ?? [];
  return <T>(): T => {
    const [err, value] = list[i++] ?? [new Error('pipeline returned fewer replies than commands'), null];
    if (err) throw err;
    return value as T;
  };
}
