// What a published declaration file promises to exist at run time: its exported classes, functions and constants.
import ts from 'typescript'

const memo = new Map<string, string[]>()

/** The names of the runtime values (not types) that `dtsPath` exports, sorted. */
export function declaredValueExports(dtsPath: string): string[] {
  const known = memo.get(dtsPath)
  if (known) return known
  const program = ts.createProgram([dtsPath], { noEmit: true, skipLibCheck: true, types: ['node'] })
  const checker = program.getTypeChecker()
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dtsPath)!)
  if (!moduleSymbol) throw new Error(`${dtsPath} is not a module`)
  const names = checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      return (target.flags & ts.SymbolFlags.Value) !== 0
    })
    .map((symbol) => symbol.name)
    .sort()
  memo.set(dtsPath, names)
  return names
}
