//===- Importer.cpp - ONNX model to MLIR ------------------------*- C++ -*-===//
//
// Reads an ONNX model with the ONNX library (parse, checker, shape
// inference), creates `func.func @main` with the graph's inputs and outputs,
// materialises initializers as constants and hands every node to its op
// handler. All ONNX exceptions are caught here and become one-line errors.
//
//===----------------------------------------------------------------------===//

#include "cim/Frontend/ONNX/Importer.h"
#include "GraphImporter.h"
#include "Handlers.h"

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;
using namespace cim;
using namespace cim::onnx_import;

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

Value GraphImporter::lookup(const std::string &name) const {
  for (const GraphImporter *g = this; g; g = g->parent) {
    auto it = g->values.find(name);
    if (it != g->values.end())
      return it->second;
  }
  throw ImportError{"input '" + name + "' is not defined before its use"};
}

bool GraphImporter::isDefined(const std::string &name) const {
  for (const GraphImporter *g = this; g; g = g->parent)
    if (g->values.count(name))
      return true;
  return false;
}

DenseElementsAttr GraphImporter::lookupConstant(const std::string &name) const {
  DenseElementsAttr attr;
  if (!name.empty() && isDefined(name) && matchPattern(lookup(name), m_Constant(&attr)))
    return attr;
  return {};
}

void GraphImporter::importNodes(const onnx::GraphProto &graph) {
  Location graphLoc = currentLoc;
  auto fileLoc = FileLineColLoc::get(builder.getContext(), modelPath, 0, 0);
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    std::string name = node.name().empty()
                           ? (node.output_size() ? node.output(0)
                                                 : "#" + std::to_string(index))
                           : node.name();
    setLocation(NameLoc::get(builder.getStringAttr(name), fileLoc));
    std::string where = "node '" + name + "' (" + node.op_type() + "): ";
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw ImportError{where + "op domain '" + node.domain() +
                        "' is not supported"};
    try {
      if (!importNode(*this, node))
        throw ImportError{"unsupported op (cim-compile --list-ops lists the " +
                          std::to_string(supportedOpTypes().size()) +
                          " supported ones)"};
    } catch (ImportError &e) {
      // Errors from a subgraph already name their node; keep the outer one
      // as context.
      throw ImportError{where + e.message};
    }
  }
  setLocation(graphLoc);
}

int32_t GraphImporter::onnxElementType(const std::string &name) const {
  for (const GraphImporter *g = this; g; g = g->parent) {
    auto it = g->elementTypes.find(name);
    if (it != g->elementTypes.end())
      return it->second;
  }
  return 0;
}

void GraphImporter::declareElementTypes(const onnx::GraphProto &graph) {
  auto declare = [&](const onnx::ValueInfoProto &v) {
    if (v.type().has_tensor_type())
      elementTypes[v.name()] = v.type().tensor_type().elem_type();
  };
  for (const auto *list : {&graph.input(), &graph.output(), &graph.value_info()})
    for (const auto &v : *list)
      declare(v);
  for (const auto &t : graph.initializer())
    elementTypes[t.name()] = t.data_type();
  for (const auto &node : graph.node())
    for (const auto &attr : node.attribute()) {
      if (node.op_type() == "Constant" && attr.name() == "value" &&
          node.output_size() == 1)
        elementTypes[node.output(0)] = attr.t().data_type();
      if (attr.type() == onnx::AttributeProto::GRAPH)
        declareElementTypes(attr.g());
      for (const auto &g : attr.graphs())
        declareElementTypes(g);
    }
}

std::string cim::onnx_import::elementTypeName(Type type) {
  if (type.isF32())
    return "float";
  if (type.isInteger(64))
    return "int64";
  if (type.isInteger(1))
    return "bool";
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  return name;
}

Value GraphImporter::constant(DenseElementsAttr attr) {
  return builder.create<arith::ConstantOp>(loc(), attr);
}

Value GraphImporter::scalar(double value, int64_t rank, Type elementType) {
  SmallVector<int64_t> shape(rank, 1);
  auto type = RankedTensorType::get(shape, elementType);
  Attribute element =
      isa<FloatType>(elementType)
          ? Attribute(FloatAttr::get(elementType, value))
          : Attribute(IntegerAttr::get(elementType, static_cast<int64_t>(value)));
  return constant(DenseElementsAttr::get(type, element));
}

Value GraphImporter::i64Vector(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()},
                                    builder.getI64Type());
  return constant(DenseElementsAttr::get(type, values));
}

Value GraphImporter::mul(Value a, Value b) {
  return binary<tosa::MulOp>(a, b, builder.getI8IntegerAttr(0));
}

Value GraphImporter::transpose(Value v, ArrayRef<int64_t> perms) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<int32_t> perms32;
  for (int64_t p : perms) {
    if (p < 0 || p >= type.getRank())
      throw ImportError{"permutation entry " + std::to_string(p) +
                        " is out of range"};
    shape.push_back(type.getDimSize(p));
    perms32.push_back(static_cast<int32_t>(p));
  }
  auto permsType = RankedTensorType::get({(int64_t)perms.size()},
                                         builder.getI32Type());
  Value permsValue =
      constant(DenseElementsAttr::get(permsType, ArrayRef<int32_t>(perms32)));
  return builder.createOrFold<tosa::TransposeOp>(
      loc(), RankedTensorType::get(shape, type.getElementType()), v,
      permsValue);
}

Value GraphImporter::reshape(Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  DenseElementsAttr attr;
  if (resultType.hasStaticShape() &&
      matchPattern(v, m_Constant(&attr)))
    return constant(attr.reshape(resultType));
  if (llvm::count_if(shape, ShapedType::isDynamic) > 1)
    throw ImportError{"cannot reshape to a shape with more than one dynamic "
                      "dimension"};
  SmallVector<int64_t> newShape;
  for (int64_t d : shape)
    newShape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return builder.create<tosa::ReshapeOp>(loc(), resultType, v,
                                         builder.getDenseI64ArrayAttr(newShape));
}

Value GraphImporter::expandRank(Value v, int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() >= rank)
    return v;
  SmallVector<int64_t> shape(rank - type.getRank(), 1);
  llvm::append_range(shape, type.getShape());
  return reshape(v, shape);
}

SmallVector<int64_t> GraphImporter::broadcastShape(ArrayRef<int64_t> a,
                                                   ArrayRef<int64_t> b) const {
  SmallVector<int64_t> out;
  if (!OpTrait::util::getBroadcastedShape(a, b, out)) {
    auto str = [](ArrayRef<int64_t> shape) {
      std::string s = "[";
      for (auto [i, d] : llvm::enumerate(shape))
        s += (i ? ", " : "") +
             (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
      return s + "]";
    };
    throw ImportError{"operand shapes cannot be broadcast: " + str(a) +
                      " vs " + str(b)};
  }
  return out;
}

Value GraphImporter::transpose2D(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() != 2)
    throw ImportError{"expected a 2-D operand"};
  auto resultType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && type.getElementType().isF32()) {
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    SmallVector<float> in(attr.getValues<float>()), out(in.size());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[c * rows + r] = in[r * cols + c];
    return constant(DenseElementsAttr::get(resultType, ArrayRef<float>(out)));
  }
  return transpose(v, {1, 0});
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

static std::string dataTypeName(int32_t type) {
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(type));
}

/// Copies little-endian raw bytes or the typed repeated field into `out`.
template <typename T, typename Repeated>
static std::vector<T> readData(const onnx::TensorProto &tensor,
                               const Repeated &typed, int64_t count) {
  std::vector<T> out;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != static_cast<size_t>(count) * sizeof(T))
      throw ImportError{"tensor '" + tensor.name() + "' has " +
                        std::to_string(raw.size()) + " bytes of data, expected " +
                        std::to_string(count * sizeof(T))};
    out.resize(count);
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }
  if (typed.size() != count)
    throw ImportError{"tensor '" + tensor.name() + "' has " +
                      std::to_string(typed.size()) + " values, expected " +
                      std::to_string(count)};
  out.assign(typed.begin(), typed.end());
  return out;
}

DenseElementsAttr cim::onnx_import::convertTensor(const onnx::TensorProto &tensor,
                                                  MLIRContext *context) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    throw ImportError{"tensor '" + tensor.name() +
                      "' has external data that was not loaded"};
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = checkElementCount(shape, "tensor '" + tensor.name() + "'");
  Builder b(context);
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT: {
    auto data = readData<float>(tensor, tensor.float_data(), count);
    return DenseElementsAttr::get(RankedTensorType::get(shape, b.getF32Type()),
                                  ArrayRef<float>(data));
  }
  case onnx::TensorProto::INT64: {
    auto data = readData<int64_t>(tensor, tensor.int64_data(), count);
    return DenseElementsAttr::get(
        RankedTensorType::get(shape, b.getI64Type()), ArrayRef<int64_t>(data));
  }
  case onnx::TensorProto::INT32: {
    // Widened to i64, like INT32 graph inputs.
    auto data = readData<int32_t>(tensor, tensor.int32_data(), count);
    SmallVector<int64_t> wide(data.begin(), data.end());
    return DenseElementsAttr::get(
        RankedTensorType::get(shape, b.getI64Type()), ArrayRef<int64_t>(wide));
  }
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: {
    // Widened to i64 like INT32: one byte per element in raw data, one
    // int32 each in int32_data (which must then lie in the type's range).
    bool isSigned = tensor.data_type() == onnx::TensorProto::INT8;
    SmallVector<int64_t> wide;
    if (tensor.has_raw_data()) {
      auto bytes = readData<uint8_t>(tensor, tensor.int32_data(), count);
      for (uint8_t v : bytes)
        wide.push_back(isSigned ? int64_t(int8_t(v)) : int64_t(v));
    } else {
      auto data = readData<int32_t>(tensor, tensor.int32_data(), count);
      int64_t lo = isSigned ? -128 : 0, hi = isSigned ? 127 : 255;
      for (int32_t v : data) {
        if (v < lo || v > hi)
          throw ImportError{"tensor '" + tensor.name() + "' holds " +
                            std::to_string(v) + ", outside " +
                            dataTypeName(tensor.data_type()) + "'s range"};
        wide.push_back(v);
      }
    }
    return DenseElementsAttr::get(
        RankedTensorType::get(shape, b.getI64Type()), ArrayRef<int64_t>(wide));
  }
  case onnx::TensorProto::BOOL: {
    // Raw data holds one byte per element; the typed field uses int32_data.
    auto data = readData<uint8_t>(tensor, tensor.int32_data(), count);
    SmallVector<bool> bits(data.begin(), data.end());
    return DenseElementsAttr::get(RankedTensorType::get(shape, b.getI1Type()),
                                  ArrayRef<bool>(bits));
  }
  default:
    throw ImportError{"tensor '" + tensor.name() + "' has element type " +
                      dataTypeName(tensor.data_type()) +
                      ", which is not supported (FLOAT, INT64, INT32, INT8, UINT8 "
                      "and BOOL are)"};
  }
}

Type cim::onnx_import::convertElementType(int32_t onnxType, MLIRContext *context,
                                          const std::string &what) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return b.getI64Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    throw ImportError{what + " has element type " + dataTypeName(onnxType) +
                      ", which is not supported (FLOAT, INT64, INT32, INT8, "
                      "UINT8 and BOOL are)"};
  }
}

RankedTensorType cim::onnx_import::convertValueType(
    const onnx::ValueInfoProto &info, MLIRContext *context,
    const std::string &what) {
  std::string where = what + " '" + info.name() + "'";
  if (!info.type().has_tensor_type())
    throw ImportError{where + " is not a tensor"};
  const auto &tensorType = info.type().tensor_type();
  Type element = convertElementType(tensorType.elem_type(), context, where);
  if (!tensorType.has_shape())
    throw ImportError{where + " has no shape (its rank must be known)"};
  SmallVector<int64_t> shape;
  for (const auto &dim : tensorType.shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value() : ShapedType::kDynamic);
  return RankedTensorType::get(shape, element);
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

/// Bytes per element of an ONNX data type, or 0 when unknown here.
static uint64_t elementBytes(int32_t type) {
  switch (type) {
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  default:
    return 0;
  }
}

/// Replaces the external data of `tensor` by its bytes, read from the file
/// its `location` names relative to `modelDir` (ONNX's rule: a relative
/// path inside the model's directory), from `offset` for `length` bytes.
/// The file is resolved (symbolic links followed) and must still lie inside
/// the model's directory; it is opened without following a link and
/// without blocking, must be a regular file holding the tensor's bytes, and
/// only those bytes are read.
static void loadExternalData(onnx::TensorProto &tensor, StringRef modelDir) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  std::string where = "initializer '" + tensor.name() + "': external data";
  for (const auto &entry : tensor.external_data()) {
    const std::string &key = entry.key(), &value = entry.value();
    if (key == "location") {
      location = value;
    } else if (key == "offset" || key == "length") {
      uint64_t v;
      if (StringRef(value).getAsInteger(10, v))
        throw ImportError{where + " " + key + " '" + value +
                          "' is not a number"};
      (key == "offset" ? offset : length.emplace()) = v;
    }
  }
  if (location.empty())
    throw ImportError{where + " has no location"};
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    throw ImportError{where + " location '" + location +
                      "' must be a relative path inside the model's directory"};
  SmallVector<int64_t> dims(tensor.dims().begin(), tensor.dims().end());
  uint64_t expected =
      uint64_t(checkElementCount(dims, "tensor '" + tensor.name() + "'")) *
      elementBytes(tensor.data_type());
  if (!length && expected)
    length = expected;
  if (length && expected && *length != expected)
    throw ImportError{where + " length " + std::to_string(*length) +
                      " is not the " + std::to_string(expected) +
                      " bytes of the tensor's shape and type"};

  std::string fileLabel = where + " file '" + location + "'";
  SmallString<256> dir, file(modelDir.empty() ? "." : modelDir);
  llvm::sys::path::append(file, location);
  SmallString<256> resolved;
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir.empty() ? "." : modelDir, dir))
    throw ImportError{fileLabel + " cannot be read: the model's directory: " +
                      ec.message()};
  if (std::error_code ec = llvm::sys::fs::real_path(file, resolved))
    throw ImportError{fileLabel + " cannot be read: " + ec.message()};
  if (!StringRef(resolved).starts_with(dir.str().str() + "/"))
    throw ImportError{fileLabel + " resolves to '" + resolved.str().str() +
                      "', outside the model's directory"};
  int fd = ::open(resolved.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw ImportError{fileLabel + " cannot be read: " + std::strerror(errno)};
  auto closeFd = llvm::make_scope_exit([&] { ::close(fd); });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw ImportError{fileLabel + " is not a regular file"};
  uint64_t size = uint64_t(st.st_size);
  uint64_t want = length.value_or(size > offset ? size - offset : 0);
  if (offset > size || want > size - offset)
    throw ImportError{fileLabel + " has " + std::to_string(size) +
                      " bytes, fewer than offset " + std::to_string(offset) +
                      " + length " + std::to_string(want)};
  std::string bytes(want, '\0');
  for (uint64_t done = 0; done < want;) {
    ssize_t n = ::pread(fd, bytes.data() + done, want - done, off_t(offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw ImportError{fileLabel + " cannot be read: " +
                        (n < 0 ? std::strerror(errno) : "unexpected end of file")};
    done += uint64_t(n);
  }
  tensor.set_raw_data(std::move(bytes));
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
}

/// Loads the external data of every initializer and Constant tensor of
/// `graph` and its subgraphs.
static void loadExternalData(onnx::GraphProto &graph, StringRef modelDir) {
  for (auto &init : *graph.mutable_initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL)
      loadExternalData(init, modelDir);
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_t() && attr.t().data_location() == onnx::TensorProto::EXTERNAL)
        loadExternalData(*attr.mutable_t(), modelDir);
      if (attr.has_g())
        loadExternalData(*attr.mutable_g(), modelDir);
      for (auto &g : *attr.mutable_graphs())
        loadExternalData(g, modelDir);
    }
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

static bool isUtf8(const std::string &text) {
  const auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.data());
  return llvm::isLegalUTF8String(&begin, begin + text.size());
}

/// Checks what ONNX's checker leaves to the reader, before anything is
/// read or allocated: names that are not UTF-8 (they would reach the
/// artifact), negative or overflowing dimensions, non-finite float
/// attributes, graph outputs (present, each listed once). Throws naming
/// the node, tensor or value at fault.
static void validateGraph(const onnx::GraphProto &graph, bool top, int depth) {
  if (depth > 64)
    throw ImportError{"subgraphs are nested more than 64 deep"};
  auto utf8 = [](const std::string &text, const std::string &what) {
    if (!isUtf8(text))
      throw ImportError{what + " is not valid UTF-8"};
  };
  auto checkValue = [&](const onnx::ValueInfoProto &v, const char *kind) {
    utf8(v.name(), std::string("a graph ") + kind + "'s name");
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape())
      return;
    for (const auto &dim : v.type().tensor_type().shape().dim())
      if (dim.has_dim_value() && dim.dim_value() < 0)
        throw ImportError{std::string(kind) + " '" + v.name() +
                          "' has dimension " + std::to_string(dim.dim_value()) +
                          " (dimensions are at least 0)"};
  };
  if (top && graph.output_size() == 0)
    throw ImportError{"the graph has no outputs"};
  std::set<std::string> outputs;
  for (const auto &v : graph.output()) {
    checkValue(v, "output");
    if (!outputs.insert(v.name()).second)
      throw ImportError{"graph output '" + v.name() + "' is listed twice"};
  }
  for (const auto &v : graph.input())
    checkValue(v, "input");
  for (const auto &t : graph.initializer()) {
    utf8(t.name(), "an initializer's name");
    SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
    checkElementCount(dims, "initializer '" + t.name() + "'");
  }
  // Ranks declared by the graph (inputs, value infos, initializers): ONNX's
  // shape inference of a convolution reads past the kernel's dimensions
  // when the weight's rank differs from the input's, so that is refused
  // here, before inference runs.
  std::map<std::string, int> declaredRank;
  for (const auto *list : {&graph.input(), &graph.value_info()})
    for (const auto &v : *list)
      if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
        declaredRank[v.name()] = v.type().tensor_type().shape().dim_size();
  for (const auto &t : graph.initializer())
    declaredRank[t.name()] = t.dims_size();
  auto rankOf = [&](const onnx::NodeProto &node, int i) {
    auto it = i < node.input_size() ? declaredRank.find(node.input(i))
                                    : declaredRank.end();
    return it == declaredRank.end() ? -1 : it->second;
  };
  for (const auto &[index, node] : llvm::enumerate(graph.node())) {
    std::string where = "node #" + std::to_string(index);
    utf8(node.name(), where + "'s name");
    where = "node '" + (node.name().empty() ? "#" + std::to_string(index)
                                            : node.name()) + "'";
    utf8(node.op_type(), where + "'s op type");
    where += " (" + node.op_type() + ")";
    for (const auto &name : node.input())
      utf8(name, where + ": an input name");
    for (const auto &name : node.output())
      utf8(name, where + ": an output name");
    if (node.op_type() == "Conv" || node.op_type() == "ConvTranspose" ||
        node.op_type() == "ConvInteger" || node.op_type() == "QLinearConv") {
      int x = rankOf(node, 0),
          w = rankOf(node, node.op_type() == "QLinearConv" ? 3 : 1);
      if (x >= 0 && w >= 0 && x != w)
        throw ImportError{where + ": X has rank " + std::to_string(x) +
                          " but W has rank " + std::to_string(w) +
                          " (they must be equal)"};
    }
    for (const auto &attr : node.attribute()) {
      std::string at = where + ": attribute " + attr.name();
      utf8(attr.name(), where + ": an attribute name");
      auto finite = [&](float v) {
        if (!std::isfinite(v))
          throw ImportError{at + " is " + (std::isnan(v) ? "NaN" : "infinite") +
                            "; attributes must be finite"};
      };
      // ONNX's shape inference of convolutions and pools divides by these
      // (a group or a stride of 0 is a division by zero there).
      static const std::set<std::string> windowOps = {
          "Conv",    "ConvTranspose", "ConvInteger", "QLinearConv",
          "MaxPool", "AveragePool",   "LpPool",      "MaxUnpool"};
      if (windowOps.count(node.op_type())) {
        int64_t least = attr.name() == "pads" ? 0 : 1;
        bool bounded = attr.name() == "group" || attr.name() == "strides" ||
                       attr.name() == "dilations" ||
                       attr.name() == "kernel_shape" || attr.name() == "pads";
        if (bounded && attr.type() == onnx::AttributeProto::INT &&
            attr.i() < least)
          throw ImportError{at + " is " + std::to_string(attr.i()) +
                            "; it must be at least " + std::to_string(least)};
        if (bounded)
          for (int64_t v : attr.ints())
            if (v < least)
              throw ImportError{at + " holds " + std::to_string(v) +
                                "; its entries must be at least " +
                                std::to_string(least)};
      }
      if (attr.type() == onnx::AttributeProto::FLOAT)
        finite(attr.f());
      for (float v : attr.floats())
        finite(v);
      if (attr.has_t()) {
        SmallVector<int64_t> dims(attr.t().dims().begin(), attr.t().dims().end());
        checkElementCount(dims, at);
      }
      if (attr.has_g())
        validateGraph(attr.g(), /*top=*/false, depth + 1);
      for (const auto &g : attr.graphs())
        validateGraph(g, /*top=*/false, depth + 1);
    }
  }
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

namespace {

/// Imports one ModelProto; throws ImportError with the message (without the
/// model path prefix).
class ModelImporter {
public:
  ModelImporter(MLIRContext &context, StringRef path)
      : context(context), path(path.str()) {}

  OwningOpRef<ModuleOp> run(const onnx::ModelProto &model) {
    int64_t opset = -1;
    for (const auto &entry : model.opset_import())
      if (entry.domain().empty() || entry.domain() == "ai.onnx")
        opset = entry.version();
    if (opset < 0)
      throw ImportError{"model imports no version of the default ONNX opset"};
    int64_t newest =
        onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at("").second;
    if (opset > newest)
      throw ImportError{"model imports opset " + std::to_string(opset) +
                        " of the default domain; this compiler knows opsets up "
                        "to " + std::to_string(newest)};

    Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
    OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
    OpBuilder builder(module->getBodyRegion());
    const onnx::GraphProto &graph = model.graph();

    std::set<std::string> initializerNames;
    for (const auto &init : graph.initializer())
      initializerNames.insert(init.name());
    SmallVector<const onnx::ValueInfoProto *> inputs;
    SmallVector<Type> inputTypes;
    for (const auto &input : graph.input()) {
      if (initializerNames.count(input.name()))
        continue;
      inputs.push_back(&input);
      inputTypes.push_back(convertValueType(input, &context, "input"));
    }

    auto func = builder.create<func::FuncOp>(
        fileLoc, "main", builder.getFunctionType(inputTypes, {}));
    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    GraphImporter importer(builder, path, opset);
    for (auto [i, input] : llvm::enumerate(inputs)) {
      importer.define(input->name(), entry->getArgument(i));
      func.setArgAttr(i, kOnnxNameAttr, builder.getStringAttr(input->name()));
    }

    importer.setLocation(fileLoc);
    importer.declareElementTypes(graph);
    for (const auto &init : graph.initializer()) {
      DenseElementsAttr attr;
      try {
        attr = convertTensor(init, &context);
      } catch (ImportError &e) {
        throw ImportError{"initializer '" + init.name() + "': " + e.message};
      }
      importer.define(init.name(), importer.constant(attr));
    }

    importer.importNodes(graph);

    SmallVector<Value> results;
    SmallVector<Type> resultTypes;
    for (const auto &output : graph.output()) {
      if (!importer.isDefined(output.name()))
        throw ImportError{"graph output '" + output.name() + "' is never computed"};
      results.push_back(importer.lookup(output.name()));
      resultTypes.push_back(results.back().getType());
    }
    importer.setLocation(fileLoc);
    builder.create<func::ReturnOp>(fileLoc, results);
    func.setType(builder.getFunctionType(inputTypes, resultTypes));
    for (auto [i, output] : llvm::enumerate(graph.output()))
      func.setResultAttr(i, kOnnxNameAttr, builder.getStringAttr(output.name()));
    // Constants that handlers folded into others (transposed or scaled
    // weights, shape operands) are dead; drop them so the imported IR shows
    // only what the model computes.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
      if (isa<arith::ConstantOp>(op) && op.use_empty())
        op.erase();
    return module;
  }

private:
  MLIRContext &context;
  std::string path;
};
} // namespace

/// ONNX's messages span lines; an error is one line, so fold each line
/// break and the spaces around it into one space.
static std::string oneLine(StringRef message) {
  SmallVector<StringRef> lines;
  message.trim().split(lines, '\n', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  std::string out;
  for (StringRef line : lines) {
    line = line.trim();
    if (line.empty())
      continue;
    if (!out.empty())
      out += ' ';
    out += line.str();
  }
  return out;
}

std::vector<std::string> cim::supportedOnnxOps() { return supportedOpTypes(); }

void cim::registerImporterDialects(DialectRegistry &registry) {
  registry.insert<CIMDialect, arith::ArithDialect, func::FuncDialect,
                  tosa::TosaDialect>();
}

OwningOpRef<ModuleOp> cim::importOnnxModel(StringRef path, MLIRContext &context,
                                           std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = (path + ": cannot read file: " + buffer.getError().message()).str();
    return nullptr;
  }
  return importOnnxModelBytes((*buffer)->getBuffer(), path,
                              llvm::sys::path::parent_path(path), context,
                              error);
}

OwningOpRef<ModuleOp> cim::importOnnxModelBytes(StringRef bytes,
                                                StringRef path,
                                                StringRef dataDir,
                                                MLIRContext &context,
                                                std::string &error) {
  auto fail = [&](const std::string &message) -> OwningOpRef<ModuleOp> {
    error = (path + ": " + oneLine(message)).str();
    return nullptr;
  };
  DialectRegistry registry;
  registerImporterDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();

  try {
    onnx::ModelProto model;
    if (bytes.size() > static_cast<size_t>(INT_MAX) ||
        !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      return fail("not an ONNX model (protobuf parse failed: the file is "
                  "truncated or not a ModelProto)");
    if (!model.has_graph())
      return fail("not an ONNX model (no graph)");
    validateGraph(model.graph(), /*top=*/true, /*depth=*/0);
    loadExternalData(*model.mutable_graph(), dataDir);
    try {
      onnx::checker::check_model(model);
    } catch (std::exception &e) {
      return fail(std::string("invalid ONNX model: ") + e.what());
    }
    try {
      onnx::shape_inference::InferShapes(model);
    } catch (std::exception &e) {
      return fail(std::string("shape inference failed: ") + e.what());
    }
    OwningOpRef<ModuleOp> module = ModelImporter(context, path).run(model);
    if (failed(verify(*module)))
      return fail("the imported module does not verify (see diagnostics above)");
    return module;
  } catch (ImportError &e) {
    return fail(e.message);
  } catch (std::exception &e) {
    return fail(std::string("ONNX library error: ") + e.what());
  }
}
