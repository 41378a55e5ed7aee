export { decodeKubernetesProtobuf, PROTOBUF_MAGIC, PROTOBUF_MEDIA_TYPE } from './decode.js';
