// The attribute types the side panel offers: every core type and codec the engine accepts
// (pipelines/core/types.py and pipelines/core/codecs). Parameterised types are offered with an
// example parameter to edit; any other text may be typed and the API says if it is wrong.

export interface TypeChoice {
  type: string;
  group: "core" | "codec" | "native";
  note: string;
}

export const TYPE_CHOICES: TypeChoice[] = [
  { type: "int8", group: "core", note: "8-bit integer" },
  { type: "int16", group: "core", note: "16-bit integer" },
  { type: "int32", group: "core", note: "32-bit integer" },
  { type: "int64", group: "core", note: "64-bit integer" },
  { type: "float32", group: "core", note: "single precision" },
  { type: "float64", group: "core", note: "double precision" },
  { type: "bool", group: "core", note: "true or false" },
  { type: "decimal(10,2)", group: "core", note: "decimal(precision, scale)" },
  { type: "char(8)", group: "core", note: "fixed-length text" },
  { type: "varchar(255)", group: "core", note: "text up to n characters" },
  { type: "enum('a', 'b')", group: "core", note: "one of the listed values" },
  { type: "date", group: "core", note: "a calendar date" },
  { type: "datetime", group: "core", note: "date and time" },
  { type: "datetime(3)", group: "core", note: "date and time, milliseconds" },
  { type: "json", group: "core", note: "JSON document" },
  { type: "uuid", group: "core", note: "128-bit UUID" },
  { type: "bytes", group: "core", note: "raw bytes" },
  { type: "<blob>", group: "codec", note: "serialized Python object, in the table" },
  { type: "<blob@store>", group: "codec", note: "serialized object, in a store" },
  { type: "<attach>", group: "codec", note: "a file, in the table" },
  { type: "<attach@store>", group: "codec", note: "a file, in a store" },
  { type: "<hash@store>", group: "codec", note: "content-addressed bytes in a store" },
  { type: "<filepath@store>", group: "codec", note: "a path to a file in a store" },
  { type: "<object@store>", group: "codec", note: "files or folders in a store" },
  { type: "<npy@store>", group: "codec", note: "a NumPy array in a store" },
  { type: "time", group: "native", note: "time of day (MySQL type, less portable)" },
  { type: "timestamp", group: "native", note: "timestamp (MySQL type, less portable)" },
];
