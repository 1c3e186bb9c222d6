#!/usr/bin/env node
// Compiles contracts/src/*.sol with the pinned solcjs (package.json at the repository root), offline.
// Writes <Contract>.abi and <Contract>.bin for every deployable contract into the output directory, which the
// Maven build hands to web3j's wrapper generator; <Contract>.runtime.json: the runtime code and where the
// constructor writes immutables into it, so a deployment can be checked against what was compiled; and
// <Contract>.layout.json: its storage layout, which contracts/STORAGE.md documents.
// Usage: node compile.js <outputDir>
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const srcDir = path.resolve(__dirname, '..', 'src');
const outDir = path.resolve(process.argv[2] || path.join(__dirname, '..', 'target', 'solc'));
const modules = path.join(root, 'node_modules');

let solc;
try {
  solc = require(path.join(modules, 'solc'));
} catch (e) {
  console.error(`solc is not installed in ${modules}: run "npm ci" at the repository root`);
  process.exit(2);
}

const sources = {};
for (const file of fs.readdirSync(srcDir).filter(f => f.endsWith('.sol')).sort()) {
  sources[file] = { content: fs.readFileSync(path.join(srcDir, file), 'utf8') };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    viaIR: true,
    outputSelection: {
      '*': {
        '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.deployedBytecode.immutableReferences',
          'storageLayout'],
      },
    },
  },
};

function findImports(importPath) {
  const candidates = [path.join(srcDir, importPath), path.join(modules, importPath)];
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `import not found: ${importPath}` };
}

// Skip the (slow, via-IR) compile when every output is newer than every source and the compiler itself.
const newestInput = Math.max(
  fs.statSync(__filename).mtimeMs,
  fs.statSync(path.join(modules, 'solc', 'package.json')).mtimeMs,
  ...Object.keys(sources).map(f => fs.statSync(path.join(srcDir, f)).mtimeMs),
);
const stamp = path.join(outDir, '.compiled');
if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs > newestInput) {
  console.log(`contracts are up to date in ${outDir}`);
  process.exit(0);
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter(e => e.severity === 'error');
for (const e of output.errors || []) {
  (e.severity === 'error' ? console.error : console.warn)(e.formattedMessage);
}
if (errors.length) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
const MAX_SIZE = 24576; // EIP-170
let failed = false;
for (const file of Object.keys(sources)) {
  for (const [name, contract] of Object.entries(output.contracts[file] || {})) {
    const bin = contract.evm.bytecode.object;
    if (!bin) continue; // interfaces and abstract contracts
    const size = contract.evm.deployedBytecode.object.length / 2;
    fs.writeFileSync(path.join(outDir, `${name}.abi`), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(outDir, `${name}.bin`), bin);
    // immutableReferences: AST id -> [{start, length}] byte ranges of the runtime code the constructor fills in.
    const immutables = Object.values(contract.evm.deployedBytecode.immutableReferences || {});
    fs.writeFileSync(path.join(outDir, `${name}.runtime.json`),
      JSON.stringify({ code: contract.evm.deployedBytecode.object, immutables }));
    // Slot, offset and type of each state variable: what contracts/STORAGE.md documents for indexers.
    const types = contract.storageLayout.types || {};
    const entry = v => ({ label: v.label, slot: v.slot, offset: v.offset, type: types[v.type].label });
    const structs = {};
    for (const t of Object.values(types)) {
      if (t.members) structs[t.label] = t.members.map(entry);
    }
    const layout = { variables: (contract.storageLayout.storage || []).map(entry), structs };
    fs.writeFileSync(path.join(outDir, `${name}.layout.json`), JSON.stringify(layout));
    console.log(`compiled ${name}: ${size} bytes deployed${size > MAX_SIZE ? ' (OVER the EIP-170 limit)' : ''}`);
    if (size > MAX_SIZE) failed = true;
  }
}
console.log(`solc ${solc.version()}`);
if (!failed) fs.writeFileSync(stamp, solc.version());
process.exit(failed ? 1 : 0);
