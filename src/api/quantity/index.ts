export { Quantity, QuantityError, parseQuantity, type QuantityFormat } from './quantity.js';
