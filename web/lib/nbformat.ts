// nbformat v4 wire shapes and the guards that check a notebook file at the trust boundary.
// Spec: https://nbformat.readthedocs.io/en/latest/format_description.html

export type JsonObject = { [key: string]: unknown };

/** Text in nbformat may be one string or a list of lines to be joined. */
export type MultilineString = string | string[];

/** MIME type → data. Text types hold (multiline) strings; `+json` types hold JSON values. */
export type MimeBundle = { [mimeType: string]: unknown };

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: JsonObject;
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: JsonObject;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type NbOutput = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface NbCodeCell {
  id: string;
  cell_type: 'code';
  metadata: JsonObject;
  source: string;
  outputs: NbOutput[];
  execution_count: number | null;
}

export interface NbMarkdownCell {
  id: string;
  cell_type: 'markdown' | 'raw';
  metadata: JsonObject;
  source: string;
  attachments?: JsonObject;
}

export type NbCell = NbCodeCell | NbMarkdownCell;

export interface NbNotebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: NbCell[];
}

/** Cell ids are required from nbformat 4.5 on; we always write them. */
const MIN_NBFORMAT_MINOR = 5;

export const KERNEL_NAME = 'lightbook-ts';

export const TYPESCRIPT_NOTEBOOK_METADATA: JsonObject = {
  kernelspec: { name: KERNEL_NAME, display_name: 'TypeScript (Lightbook)', language: 'typescript' },
  language_info: { name: 'typescript' },
};

export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMultiline(value: unknown): value is MultilineString {
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

function joinMultiline(value: MultilineString): string {
  return typeof value === 'string' ? value : value.join('');
}

/** JSON MIME types keep their structure; every other type is text. */
function isJsonMimeType(mimeType: string): boolean {
  return mimeType === 'application/json' || mimeType.endsWith('+json');
}

/** Joins multiline text values so renderers only ever see strings. */
export function normalizeMimeBundle(data: JsonObject, where: string): MimeBundle {
  const bundle: MimeBundle = {};
  for (const [mimeType, value] of Object.entries(data)) {
    if (isJsonMimeType(mimeType)) bundle[mimeType] = value;
    else if (isMultiline(value)) bundle[mimeType] = joinMultiline(value);
    else throw new NotebookFormatError(`${where}: ${mimeType} must be text`);
  }
  return bundle;
}

function optionalObject(value: unknown, where: string): JsonObject {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw new NotebookFormatError(`${where} must be an object`);
  return value;
}

function executionCount(value: unknown, where: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') throw new NotebookFormatError(`${where}: execution_count must be a number or null`);
  return value;
}

export function parseOutput(value: unknown, where: string): NbOutput {
  if (!isJsonObject(value)) throw new NotebookFormatError(`${where} must be an object`);
  switch (value.output_type) {
    case 'stream':
      if ((value.name !== 'stdout' && value.name !== 'stderr') || !isMultiline(value.text)) {
        throw new NotebookFormatError(`${where}: stream needs name stdout|stderr and text`);
      }
      return { output_type: 'stream', name: value.name, text: joinMultiline(value.text) };
    case 'display_data':
    case 'execute_result': {
      const data = normalizeMimeBundle(optionalObject(value.data, `${where}.data`), where);
      const metadata = optionalObject(value.metadata, `${where}.metadata`);
      return value.output_type === 'display_data'
        ? { output_type: 'display_data', data, metadata }
        : { output_type: 'execute_result', data, metadata, execution_count: executionCount(value.execution_count, where) };
    }
    case 'error': {
      const { ename, evalue, traceback } = value;
      if (typeof ename !== 'string' || typeof evalue !== 'string' || !Array.isArray(traceback) || !traceback.every((l) => typeof l === 'string')) {
        throw new NotebookFormatError(`${where}: error needs ename, evalue and a traceback of strings`);
      }
      return { output_type: 'error', ename, evalue, traceback };
    }
    default:
      throw new NotebookFormatError(`${where}: unknown output_type ${JSON.stringify(value.output_type)}`);
  }
}

function parseCell(value: unknown, index: number, newId: () => string): NbCell {
  const where = `cell ${index + 1}`;
  if (!isJsonObject(value)) throw new NotebookFormatError(`${where} must be an object`);
  if (!isMultiline(value.source)) throw new NotebookFormatError(`${where}: source must be a string or a list of strings`);
  const id = typeof value.id === 'string' && value.id !== '' ? value.id : newId();
  const metadata = optionalObject(value.metadata, `${where}.metadata`);
  const source = joinMultiline(value.source);
  switch (value.cell_type) {
    case 'code': {
      const outputs = value.outputs ?? [];
      if (!Array.isArray(outputs)) throw new NotebookFormatError(`${where}: outputs must be a list`);
      return {
        id,
        cell_type: 'code',
        metadata,
        source,
        outputs: outputs.map((o, i) => parseOutput(o, `${where} output ${i + 1}`)),
        execution_count: executionCount(value.execution_count, where),
      };
    }
    case 'markdown':
    case 'raw': {
      const cell: NbMarkdownCell = { id, cell_type: value.cell_type, metadata, source };
      if (value.attachments !== undefined) cell.attachments = optionalObject(value.attachments, `${where}.attachments`);
      return cell;
    }
    default:
      throw new NotebookFormatError(`${where}: unknown cell_type ${JSON.stringify(value.cell_type)}`);
  }
}

/** Checks an untrusted notebook document and normalizes it (joined text, a cell id on every cell). */
export function parseNotebook(value: unknown, newId: () => string): NbNotebook {
  if (!isJsonObject(value)) throw new NotebookFormatError('The notebook is not a JSON object');
  if (value.nbformat !== 4) throw new NotebookFormatError(`Only nbformat 4 notebooks can be opened (this one is ${String(value.nbformat)})`);
  if (!Array.isArray(value.cells)) throw new NotebookFormatError('The notebook has no list of cells');
  const minor = typeof value.nbformat_minor === 'number' ? value.nbformat_minor : 0;
  return {
    nbformat: 4,
    nbformat_minor: Math.max(minor, MIN_NBFORMAT_MINOR),
    metadata: optionalObject(value.metadata, 'notebook metadata'),
    cells: value.cells.map((c, i) => parseCell(c, i, newId)),
  };
}
