// Functions that throw from a known file, so tests can assert frames and source context lines.
export function throwTypeError(): never {
  const reason = 'bad input'
  throw new TypeError(reason)
}

export function makeChainedError(depth: number): Error {
  let error = new Error('root cause')
  for (let level = 1; level < depth; level++) {
    error = new Error(`level ${level}`, { cause: error })
  }
  return error
}
