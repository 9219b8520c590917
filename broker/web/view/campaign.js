// campaign.js: the Campaign card: the campaign's INI text, when the model has it.
(function (V) {
  'use strict';

  const { h, update } = V;

  function drawCampaign(s, m) {
    s.el.campaign.el.hidden = !m.campaign_ini;
    if (!m.campaign_ini) return;
    update(s, 'campaign', s.el.campaign.body, m.campaign_ini, () => h('pre', { class: 'lg-ini' }, m.campaign_ini));
  }

  Object.assign(V, { drawCampaign });
})(LoadgridViewParts);
