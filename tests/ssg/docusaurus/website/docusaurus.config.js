module.exports = { title: 'Example docs (Docusaurus)', url: 'https://docs.example.org', baseUrl: '/' };
