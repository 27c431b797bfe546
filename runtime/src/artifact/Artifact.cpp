//===- Artifact.cpp - Reading .cimx artifacts -------------------*- C++ -*-===//
//
// Gets the bytes of an artifact (file or memory), checks that they are a cim
// artifact of a version this runtime reads, and hands the parsed message to
// the Verifier. Every error is prefixed with the file name (or "<memory>")
// so that the host app can show it as is.
//
//===----------------------------------------------------------------------===//

#include "artifact/Artifact.h"
#include "artifact/HalImage.h"
#include "artifact/Placement.h"
#include "artifact/Verifier.h"
#include "base/FileBytes.h"
#include "base/ProtobufLog.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace cim::rt {

bool dtypeFromProto(artifact::DataType proto, DType &out) {
  switch (proto) {
  case artifact::F32:
    out = DType::F32;
    return true;
  case artifact::I64:
    out = DType::I64;
    return true;
  case artifact::I1:
    out = DType::Bool;
    return true;
  default:
    return false;
  }
}

StatusOr<std::shared_ptr<const Model>>
Model::loadFile(const std::string &path) {
  CIM_ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::open(path));
  std::string_view bytes = file->bytes();
  return loadMemory(bytes.data(), bytes.size(), path);
}

StatusOr<std::shared_ptr<const Model>>
Model::loadMemory(const void *data, size_t size, const std::string &label) {
  if (!data && size)
    return makeError(Code::InvalidArgument, label, ": null data");
  if (size > size_t(INT_MAX))
    return makeError(Code::DataLoss, label, ": artifact of ", size,
                     " bytes is larger than the 2 GiB protobuf limit");
  artifact::Artifact a;
  if (size == 0)
    return makeError(Code::DataLoss, label,
                     ": not a cim artifact (empty file)");
  ProtobufLogCapture log;
  if (!a.ParseFromArray(data, int(size)))
    return makeError(Code::DataLoss, label,
                     ": not a cim artifact (protobuf parse failed",
                     log.suffix(), ")");
  return fromArtifact(std::move(a), label);
}

StatusOr<std::shared_ptr<const Model>>
Model::fromArtifact(artifact::Artifact a, const std::string &label) {
  if (a.magic() != kMagic) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08X", unsigned(a.magic()));
    return makeError(Code::DataLoss, label, ": not a cim artifact (bad magic ",
                     hex, ")");
  }
  if (a.version() == 0)
    return makeError(Code::DataLoss, label,
                     ": artifact version 0 is invalid (missing version)");
  if (a.version() < macro::kOldestArtifactVersion)
    return makeError(Code::Unimplemented, label, ": artifact version ",
                     a.version(), " is older than this runtime reads (",
                     macro::kOldestArtifactVersion,
                     "); compile the model again");
  if (a.version() > kVersion)
    return makeError(Code::Unimplemented, label, ": artifact version ",
                     a.version(), " is newer than this runtime supports (",
                     kVersion, ")");
  std::shared_ptr<Model> model(new Model());
  model->label_ = label;
  model->artifact_ = std::move(a);
  Status s = Verifier(*model).run();
  if (!s.isOk())
    return s.withPrefix(label + ": ");
  model->macroConfig_ = toMacroConfig(model->artifact_.target());
  for (const artifact::Tile &tile : model->artifact_.tiles())
    model->tileImages_.push_back(toTileImage(tile, model->artifact_.target()));
  shareSpares(model->artifact_, model->tileImages_);
  return std::shared_ptr<const Model>(std::move(model));
}

} // namespace cim::rt
