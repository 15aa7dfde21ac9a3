#include "services/common/types/resource_content.h"

namespace annals {

catalog::v1::Entity EntityContent(catalog::v1::Entity entity) {
  entity.clear_create_time();
  entity.clear_update_time();
  entity.clear_delete_time();
  entity.clear_etag();
  entity.clear_sequence();
  return entity;
}

catalog::v1::Statement StatementContent(catalog::v1::Statement statement) {
  statement.clear_create_time();
  statement.clear_update_time();
  statement.clear_retract_time();
  statement.clear_retract_reason();
  statement.clear_etag();
  statement.clear_sequence();
  return statement;
}

}  // namespace annals
