// PutHDFS's "Compression codec": NONE, or GZIP (Hadoop's GzipCodec writes a gzip stream and names
// the file with ".gz"). Appending gzip data to a .gz file gives a multi-member gzip, which gzip
// readers (and Hadoop's codec) read as one stream.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

export const COMPRESSION_CODECS = ['NONE', 'GZIP'] as const;
export type CompressionCodec = (typeof COMPRESSION_CODECS)[number];

export interface Codec {
  readonly name: CompressionCodec;
  /** Appended to the file name, as Hadoop's CompressionCodec.getDefaultExtension(). */
  readonly extension: string;
  encode(data: Buffer): Promise<Buffer>;
}

const NONE: Codec = { name: 'NONE', extension: '', encode: async (d) => d };
const GZIP: Codec = { name: 'GZIP', extension: '.gz', encode: (d) => gzipAsync(d) as Promise<Buffer> };

export function codecFor(name: string | undefined): Codec {
  return name === 'GZIP' ? GZIP : NONE;
}
